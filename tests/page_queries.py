"""The SQL statements a page runs, counted as the test client asks for it."""
from flask import current_app
from sqlalchemy import event

from ipcenter.extensions import db


def queries_of(client, path: str, rendered: bool = True) -> int:
    """How many statements answering GET `path` runs (it must answer 200): rendering it, or with
    `rendered=False` as it comes (a page kept from an earlier showing, page_cache)."""
    db.session.commit()  # the test's own writes are not the page's
    kept_pages = current_app.config["KEPT_PAGES"]
    if rendered:
        current_app.config["KEPT_PAGES"] = 0
    statements = []

    def count(*_):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        current_app.config["KEPT_PAGES"] = kept_pages
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return len(statements)
