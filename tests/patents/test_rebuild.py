"""The rebuild writes what Whoosh's own writer writes, in one process or several, and fails without harm."""
import pytest
from sqlalchemy import func, select
from whoosh import index

from ipcenter import create_app
from ipcenter.config import TestConfig
from ipcenter.extensions import db
from ipcenter.patents import rebuild
from ipcenter.patents.demo import seed_demo_patents
from ipcenter.patents.index import SCHEMA, check_index, index_folder, patent_document, patent_rows
from ipcenter.patents.models import Patent
from ipcenter.patents.search import ALL_RECORDS, search_patents
from tests.conftest import make_organisation
from tests.snapshots import built_once

QUERIES = ["吸顶灯", "ceiling lamp", '"lamp body"~2', "pd:[2018 TO 2020] AND 吊灯", "an:2019*", "ipc:F21V*"]


@pytest.fixture
def collection(app):
    built_once("700 patents and two bare records", app, add_collection)


def add_collection():
    seed_demo_patents(700)
    organisation = make_organisation()
    db.session.add_all([  # no dates, no applicants, an enterprise's unpublished record
        Patent(country="CN", publication_number="CN399000001", patent_type="design", title="灯罩 lamp shade"),
        Patent(country="CN", publication_number="CN399000002", patent_type="invention", title="路灯",
               organisation_id=organisation.id, abstract="路灯 " * 300),
    ])
    db.session.commit()


def index_contents(reader, blocks: bool = True) -> dict:
    """Everything a reader gives back: terms and their statistics, postings with their values (and, in one
    segment, each block's length and weight bounds), field lengths, columns and stored fields."""
    terms = {}
    for field, btext in reader.all_terms():
        info = reader.term_info(field, btext)
        matcher = reader.postings(field, btext)
        postings = []
        while matcher.is_active():
            posting = (matcher.id(), matcher.weight(), matcher.value())
            if blocks:
                posting += (matcher.block_min_length(), matcher.block_max_length(), matcher.block_max_weight())
            postings.append(posting)
            matcher.next()
        terms[field, btext] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                               info.max_weight(), postings)
    documents = range(reader.doc_count_all())
    return {
        "terms": terms,
        "field lengths": {name: reader.field_length(name) for name in SCHEMA.names()},
        "document lengths": {name: [reader.doc_field_length(d, name) for d in documents] for name in SCHEMA.names()},
        "columns": {name: list(reader.column_reader(name)) for name in SCHEMA.names() if SCHEMA[name].column_type},
        "stored": [reader.stored_fields(d) for d in documents],
    }


def rebuilt_contents(processes: int, blocks: bool = False) -> dict:
    assert rebuild.rebuild_index(processes=processes) == db.session.scalar(select(func.count(Patent.id)))
    with index.open_dir(index_folder()).reader() as reader:
        return index_contents(reader, blocks)


def test_a_segment_equals_what_whoosh_writes(collection, tmp_path):
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "built").mkdir()
    whoosh_ix, built_ix = index.create_in(tmp_path / "whoosh", SCHEMA), index.create_in(tmp_path / "built", SCHEMA)
    with whoosh_ix.writer() as writer:
        for row in patent_rows():
            writer.add_document(**patent_document(row))
    writer = built_ix.writer()
    segments = rebuild.build_share(built_ix, (None, None), lambda done: None)
    writer.commit(mergetype=lambda writer, old: segments)
    with whoosh_ix.reader() as expected, built_ix.reader() as built:
        assert len(segments) == 1 and index_contents(built) == index_contents(expected)
        assert max(len(postings) for *_, postings in index_contents(built)["terms"].values()) > 128  # several blocks


def test_several_processes_write_what_one_does(collection, runner):
    single = rebuilt_contents(1)
    assert rebuilt_contents(2) == single
    assert rebuilt_contents(3) == single
    assert len(index.open_dir(index_folder())._segments()) == 3
    assert check_index() == {"missing": [], "stale": [], "extra": []}


def test_a_large_share_is_written_as_several_segments(collection, monkeypatch):
    single = rebuilt_contents(1)
    monkeypatch.setattr(rebuild, "SEGMENT_POSTINGS", 10_000)
    assert rebuilt_contents(2) == single
    segments = index.open_dir(index_folder())._segments()
    assert len(segments) > 4 and sum(segment.doc_count_all() for segment in segments) == 702
    titled = db.session.scalar(select(func.count(Patent.id)).where(Patent.title.contains("吸顶灯")))
    assert search_patents(ALL_RECORDS, "ti:吸顶灯").total == titled


def test_progress_counts_every_patent(collection):
    reported = []
    rebuild.rebuild_index(reported.append, processes=2)
    assert reported[-1] == 702 and reported == sorted(reported)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_failing_writer_leaves_the_index_as_it_was(collection, runner, monkeypatch, processes):
    before = {query: search_patents(ALL_RECORDS, query).total for query in QUERIES}
    files = sorted(path.name for path in index_folder().iterdir())
    broken = db.session.scalar(select(Patent.id).where(Patent.publication_number == "CN399000002"))

    def failing_document(row):
        if row.id == broken:
            raise ValueError(f"cannot index patent {row.id}")
        return patent_document(row)
    monkeypatch.setattr(rebuild, "patent_document", failing_document)
    result = runner.invoke(args=["search", "rebuild", "--processes", str(processes)])
    assert result.exit_code == 1
    assert f"the rebuild stopped, the index is as it was: ValueError: cannot index patent {broken}" in result.output
    assert sorted(path.name for path in index_folder().iterdir()) == files  # nothing half-written is left
    assert {query: search_patents(ALL_RECORDS, query).total for query in QUERIES} == before
    assert check_index() == {"missing": [], "stale": [], "extra": []}


def test_an_in_memory_database_is_rebuilt_in_one_process(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", INDEX_FOLDER=tmp_path / "index")
    with app.app_context():
        db.create_all()  # forked writers would open an empty database of their own
        seed_demo_patents(50)
        db.session.commit()
        assert rebuild.rebuild_index(processes=2) == 50
        assert len(index.open_dir(index_folder())._segments()) == 1
        assert check_index() == {"missing": [], "stale": [], "extra": []}
        db.session.remove()
        db.engine.dispose()
