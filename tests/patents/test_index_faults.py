"""The index never lies: lost or damaged, search says so (503) until `flask search rebuild`; imports at once agree."""
import json
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.patents import importers
from ipcenter.patents.importers import import_patents
from ipcenter.patents.index import check_index, current_searcher, pending_count, sync_index
from ipcenter.patents.models import Patent
from tests.conftest import make_user

MISSING_EN = "Patent search is unavailable: the search index is missing."
MISSING_ZH = "专利检索暂不可用：检索索引缺失。"
DAMAGED_EN = "Patent search is unavailable: the search index cannot be read."


@pytest.fixture
def collection(app):
    for n in range(30):
        db.session.add(Patent(country="CN", publication_number=f"CN3010{n:05d}", kind_code="S", patent_type="design",
                              title=f"水晶吊灯 {n}", publication_date=date(2022, 5, 1), locarno="26-05"))
    db.session.commit()
    return Path(app.config["INDEX_FOLDER"])


def indexed_ids() -> set[str]:
    return {fields["id"] for fields in current_searcher().all_stored_fields()}


def search(client, query="吊灯"):
    return client.get("/patents/", query_string={"q": query})


def test_a_deleted_index_answers_503_in_both_languages_until_it_is_rebuilt(client, login_as, runner, collection,
                                                                           tmp_path):
    staff = login_as(make_user(Role.STAFF))
    assert search(client).status_code == 200
    before = indexed_ids()
    shutil.rmtree(collection)

    lost = search(client)
    assert lost.status_code == 503 and MISSING_EN in lost.get_data(as_text=True)
    staff.language = "zh"
    db.session.commit()
    assert MISSING_ZH in search(client).get_data(as_text=True)
    assert client.get("/patents/", query_string={"q": "吊灯"}, headers={"Accept": "application/json"}).json == {
        "error": 503, "message": MISSING_ZH + "须从数据库重建（flask search rebuild）。"}
    assert not collection.exists()  # no empty index made behind anyone's back

    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1 and f"There is no search index in {collection}: run `flask search rebuild`." \
        in check.output
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"publication_number": "CN301099999S", "title": "壁灯", "patent_type": "design"}))
    refused = runner.invoke(args=["patents", "import", str(more)])
    assert refused.exit_code == 1 and "nothing imported: There is no search index in" in refused.output
    assert db.session.scalar(select(func.count(Patent.id))) == 30 and not collection.exists()

    rebuilt = runner.invoke(args=["search", "rebuild"])
    assert rebuilt.exit_code == 0 and "indexed 30 patents" in rebuilt.output
    assert search(client).status_code == 200 and indexed_ids() == before
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_a_truncated_segment_answers_503_until_it_is_rebuilt(client, login_as, runner, collection):
    login_as(make_user(Role.STAFF))
    assert search(client).status_code == 200  # this thread now holds a searcher over the files
    before = indexed_ids()
    segment = max((path for path in collection.iterdir() if path.suffix == ".seg"), key=lambda p: p.stat().st_size)
    with segment.open("r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)

    damaged = search(client)
    assert damaged.status_code == 503 and DAMAGED_EN in damaged.get_data(as_text=True)
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1 and f"The search index in {collection} cannot be read" in check.output

    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert search(client).status_code == 200 and indexed_ids() == before
    assert check_index() == {"missing": [], "stale": [], "extra": []}


def test_a_new_database_gets_its_first_index_from_the_queue(client, login_as, collection):
    """Nothing was ever indexed: every record is still queued, so an index made now holds them all."""
    assert pending_count() == 0 and collection.exists()
    shutil.rmtree(collection)
    login_as(make_user(Role.STAFF))
    assert search(client).status_code == 503  # indexed once: only a rebuild may make it again


def _overlapping_files(tmp_path: Path) -> list[Path]:
    """Two files that begin with the same 150 records (other titles in each) and go on with their own."""
    files = []
    for name, numbers, title in (("first", [*range(150, 300), *range(0, 150)], "吸顶灯"),
                                 ("second", range(150, 450), "吊灯")):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"publication_number": f"CN3020{n:05d}S", "title": f"{title} {n}",
                                            "patent_type": "design"}, ensure_ascii=False) + "\n" for n in numbers))
        files.append(path)
    return files


def test_two_imports_of_overlapping_files_at_once_lose_nothing_and_never_collide(app, tmp_path, monkeypatch):
    monkeypatch.setattr(importers, "BATCH_SIZE", 25)  # many small transactions, interleaved
    files, failures, summaries = _overlapping_files(tmp_path), [], []
    start = threading.Barrier(2)

    def run(path: Path) -> None:
        with app.app_context():
            try:
                start.wait()
                summaries.append(import_patents(path, "jsonl"))
                sync_index()
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert db.session.scalar(select(func.count(Patent.id))) == 450
    assert sum(s.added for s in summaries) == 450 and sum(s.added + s.updated + s.skipped for s in summaries) == 600
    assert pending_count() == 0 and check_index() == {"missing": [], "stale": [], "extra": []}
