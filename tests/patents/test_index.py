"""The index as derived data: rebuild equals the database, check finds differences, concurrent writers."""
import multiprocessing

from sqlalchemy import text

from ipcenter import create_app
from ipcenter.config import TestConfig
from ipcenter.extensions import db
from ipcenter.patents.demo import seed_demo_patents
from ipcenter.patents.index import check_index, pending_count
from ipcenter.patents.models import Patent

WRITERS, COMMITS, PER_COMMIT = 4, 6, 5


def test_rebuild_equals_the_database_and_check_reports_differences(runner, app):
    seed_demo_patents(300)
    db.session.commit()
    assert runner.invoke(args=["search", "check"]).output.strip() == "the index matches the database"
    with db.engine.begin() as connection:  # changes behind the application's back
        connection.execute(text("UPDATE patents SET title = 'changed' WHERE id IN (1, 2)"))
        connection.execute(text("DELETE FROM patents WHERE id = 3"))
        connection.execute(text(
            "INSERT INTO patents (id, country, publication_number, patent_type, title, abstract, claims, applicants, "
            "inventors, ipc, cpc, locarno, legal_status, is_demo, created_at, updated_at) "
            "VALUES (9001, 'CN', 'CN399999999', 'design', "
            "'灯', '', '', '', '', '', '', '', '', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1
    assert "missing (1): CN399999999" in check.output and "stale (2)" in check.output and "extra (1): id 3" in \
        check.output
    rebuild = runner.invoke(args=["search", "rebuild"])
    assert rebuild.exit_code == 0 and "indexed 300 patents" in rebuild.output
    assert check_index() == {"missing": [], "stale": [], "extra": []}
    single = runner.invoke(args=["search", "rebuild", "--processes", "1"])
    assert single.exit_code == 0 and check_index() == {"missing": [], "stale": [], "extra": []}


def _write_patents(database_url: str, index_folder: str, writer: int) -> None:
    """One worker process: several commits, each followed by its own index update."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, INDEX_FOLDER=index_folder)
    with app.app_context():
        for commit in range(COMMITS):
            for n in range(PER_COMMIT):
                db.session.add(Patent(country="CN", publication_number=f"CN3{writer}{commit:02d}{n:03d}",
                                      patent_type="design", title=f"吊灯 {writer}-{commit}-{n}"))
            db.session.commit()
            if commit % 2:  # updates race with inserts too
                patent = db.session.query(Patent).filter_by(publication_number=f"CN3{writer}{commit:02d}000").one()
                patent.title = f"吸顶灯 {writer}-{commit}"
                db.session.commit()
        db.engine.dispose()


def test_concurrent_writers_lose_nothing_and_never_meet_a_lock_error(app, caplog):
    context = multiprocessing.get_context("fork")  # starts in a fraction of spawn's time; each builds its own app
    workers = [context.Process(target=_write_patents, args=(app.config["SQLALCHEMY_DATABASE_URI"],
                                                            str(app.config["INDEX_FOLDER"]), writer))
               for writer in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0] * WRITERS
    assert db.session.query(Patent).count() == WRITERS * COMMITS * PER_COMMIT
    assert pending_count() == 0
    assert check_index() == {"missing": [], "stale": [], "extra": []}
