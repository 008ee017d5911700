"""The index queue outside requests: a request only queues, the worker applies; the served app heals the queue."""
import threading
import time

from flask import Flask

from ipcenter import create_app
from ipcenter.config import TestConfig
from ipcenter.extensions import db
from ipcenter.patents.index import check_index, drain_when_served, index_sync_deferred, pending_count
from ipcenter.patents.models import Patent
from ipcenter.patents.search import ALL_RECORDS, search_patents


def add_patent(number: str, title: str) -> Patent:
    patent = Patent(country="CN", publication_number=number, patent_type="design", title=title)
    db.session.add(patent)
    db.session.commit()
    return patent


def found(query: str) -> list[str]:
    return [hit.patent.publication_number for hit in search_patents(ALL_RECORDS, query, per_page=100).hits]


def test_a_patent_changed_in_a_request_reaches_the_index_through_the_worker(app, client, runner):
    def retitle(patent_id: int) -> str:  # a request that edits a record, as a future edit form would
        db.session.get(Patent, patent_id).title = "六臂水晶吊灯"
        return "retitled"

    app.add_url_rule("/test/retitle/<int:patent_id>", view_func=retitle)
    patent = add_patent("CN305000001", "庭院灯")  # a command or script: indexed at its commit
    assert found("庭院灯") == ["CN305000001"] and pending_count() == 0
    assert client.get(f"/test/retitle/{patent.id}").status_code == 200
    assert pending_count() == 1 and found("吊灯") == []  # the request left the index alone
    assert runner.invoke(args=["mail", "retry"]).output.strip() == "sent: 0, still failing: 0, index updates: 1"
    assert found("吊灯") == ["CN305000001"] and found("庭院灯") == [] and pending_count() == 0


def interrupt_an_import() -> None:
    add_patent("CN305000099", "庭院灯")  # the collection already indexed: a search reads that index
    with index_sync_deferred():  # an import killed before its final index update
        for n in range(30):
            add_patent(f"CN3050001{n:02d}", f"吸顶灯 {n}")
    assert pending_count() == 30 and len(found("吸顶灯")) == 0


def start_app(app) -> Flask:
    """The app as another process builds it, on the same database and index, with SEARCH_SYNC_ON_START on."""
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      INDEX_FOLDER=app.config["INDEX_FOLDER"], INSTANCE_PATH=app.instance_path,
                      SEARCH_SYNC_ON_START=True)


def test_an_interrupted_import_heals_when_the_served_app_starts(app):
    interrupt_an_import()
    served = start_app(app)
    drain_when_served(served)  # as wsgi.py does
    assert pending_count() == 30  # built, it waits for its first request
    served.test_client().get("/", base_url=app.config["BASE_URL"])  # its first request
    deadline = time.monotonic() + 30
    while pending_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pending_count() == 0 and len(found("吸顶灯")) == 30 and found("庭院灯") == ["CN305000099"]
    assert check_index() == {"missing": [], "stale": [], "extra": []}
    with served.app_context():
        db.engine.dispose()


def test_a_command_builds_the_app_without_touching_the_queue(app):
    """`flask db upgrade`, `flask restore`, `flask search rebuild`, `--help`: none may wait at exit for a drain."""
    interrupt_an_import()
    command_app = start_app(app)
    assert "index-drain-on-start" not in [thread.name for thread in threading.enumerate()]
    assert pending_count() == 30  # left to the served app and the worker
    with command_app.app_context():
        db.engine.dispose()
