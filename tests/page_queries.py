"""The SQL statements a page runs, counted as the test client asks for it."""
from sqlalchemy import event

from ipcenter.extensions import db


def queries_of(client, path: str) -> int:
    """How many statements answering GET `path` runs (it must answer 200)."""
    db.session.commit()  # the test's own writes are not the page's
    statements = []

    def count(*_):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return len(statements)
