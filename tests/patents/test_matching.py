"""The array evaluation of queries: it agrees with Whoosh's matching, reads what Whoosh wrote, says when it cannot."""
from datetime import date

import pytest
from sqlalchemy import func, select
from whoosh import index
from whoosh import query as wq

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.patents import matching, query
from ipcenter.patents.demo import seed_demo_patents
from ipcenter.patents.index import current_searcher, index_folder
from ipcenter.patents.models import Patent
from ipcenter.patents.query import parse_query
from ipcenter.patents.search import ALL_RECORDS, search_patents
from tests.conftest import make_user
from tests.patents.test_search import RECORDS, add_records
from tests.snapshots import built_once

# Every kind of node the query language makes, over a collection large enough for several posting blocks.
QUERIES = [
    "吸顶灯", "ceiling lamp", "lamp OR 吊灯", "ipc:F21V*", "lc:26-05 AND 智能",
    "pa:华辉 NOT 吊灯", '"lamp body"~2 AND heat', '"光源 模组"', '"lamp body"', "ligh* AND NOT dimm*",
    "in:陈伟 AND 筒灯", "NOT 吸顶灯", "sh?de",
]
# Dates live in columns only, which Whoosh's matching cannot read: (query, its words, its dates in SQL).
DATED_QUERIES = [
    ("ti:吸顶灯 AND pd:2021", "ti:吸顶灯", Patent.publication_date.between(date(2021, 1, 1), date(2021, 12, 31))),
    ("(waterproof OR dimmable) AND pd:[20180101 TO 20201231]", "waterproof OR dimmable",
     Patent.publication_date.between(date(2018, 1, 1), date(2020, 12, 31))),
    ("ad:[2016 TO 2017] AND 路灯", "路灯", Patent.filing_date.between(date(2016, 1, 1), date(2017, 12, 31))),
    ("吊灯 AND NOT pd:[2016 TO *]", "吊灯", Patent.publication_date < date(2016, 1, 1)),
]


@pytest.fixture
def demo_collection(app):
    built_once("1,500 demonstration patents", app, lambda: seed_demo_patents(1500))
    return current_searcher()


def whoosh_ids(searcher, query) -> set[str]:
    return {searcher.stored_fields(docnum)["id"] for docnum in query.docs(searcher)}


def matched_ids(searcher, text: str) -> set[str]:
    matches = matching.match(searcher, parse_query(text))
    ids = {searcher.stored_fields(view.offset + int(d))["id"] for view, mask, _ in matches.segments
           for d in mask.nonzero()[0]}
    assert matches.total == len(ids)
    return ids


def test_matches_equal_whoosh_matching(demo_collection):
    for text in QUERIES:
        expected = whoosh_ids(demo_collection, parse_query(text))
        assert matched_ids(demo_collection, text) == expected and expected, text


def test_date_conditions_equal_the_database(demo_collection):
    for text, words, dates in DATED_QUERIES:
        dated = {str(patent_id) for patent_id in db.session.scalars(select(Patent.id).where(dates))}
        expected = whoosh_ids(demo_collection, parse_query(words)) & dated
        assert matched_ids(demo_collection, text) == expected and expected, text


def test_posting_arrays_equal_whoosh_postings(demo_collection):
    reader = max((reader for reader, _ in demo_collection.reader().leaf_readers()), key=lambda r: r.doc_count_all())
    sizes = []
    for field, word in (("ab", "lamp"), ("ti", "吸顶灯"), ("cl", "灯体"), ("in", "陈伟")):
        btext = word.encode()
        postings = matching._read_postings(reader, field, btext)
        items = list(reader.postings(field, btext).items_as("weight"))
        sizes.append(len(items))
        assert list(postings.docs) == [docnum for docnum, _ in items], word
        assert list(postings.frequencies) == [weight for _, weight in items]
        positions = [(docnum << 32) | p for docnum, found in reader.postings(field, btext).items_as("positions")
                     for p in found]
        assert list(postings.position_keys(reader)) == positions
    assert max(sizes) > 128 and min(sizes) > 0  # a list of several blocks (128 postings each) among them


def test_segment_arrays_equal_what_whoosh_reads_per_document(demo_collection):
    """The arrays are read from Whoosh's column files at once; per document, Whoosh's own reads give the same."""
    for reader, _ in demo_collection.reader().leaf_readers():
        arrays, size = matching.SegmentArrays("test", reader.doc_count_all()), reader.doc_count_all()
        for field in ("ti", "ab", "cl", "pa", "in"):
            assert list(arrays.lengths(reader, field)) == [reader.doc_field_length(d, field, 0) or 0
                                                          for d in range(size)], field
        for field in ("pd", "ad"):
            assert list(arrays.numbers(reader, field)) == [value or 0 for value in reader.column_reader(field)]
        for field in ("type", "year", "applicant", "cls"):
            values, owners, codes = arrays.facet_values(reader, field)
            cells = reader.column_reader(field)
            assert sorted(zip(owners.tolist(), (values[code] for code in codes), strict=True)) == sorted(
                (d, value) for d in range(size) for value in (cells[d] if isinstance(cells[d], list) else [cells[d]])
                if value), field
        for field in ("pn", "an"):
            forms, docs = arrays.numbers_sorted(reader, field)
            assert list(forms) == sorted(forms) and sorted(zip(forms.tolist(), docs.tolist(), strict=True)) == sorted(
                (form.encode(), d) for d, value in enumerate(reader.column_reader(field)) for form in value.split())


def test_deleted_records_drop_out_of_matches_and_facets(demo_collection):
    before = search_patents(ALL_RECORDS, "吸顶灯")
    gone = db.session.get(Patent, before.hits[0].patent.id)
    db.session.delete(gone)
    db.session.commit()
    after = search_patents(ALL_RECORDS, "吸顶灯")
    assert after.total == before.total - 1 and gone.id not in {hit.patent.id for hit in after.hits}
    assert sum(f.count for f in after.facets["type"]) == after.total


def test_a_wildcard_for_too_many_words_is_refused_with_where(client, login_as, demo_collection, monkeypatch):
    monkeypatch.setattr(matching, "MAX_EXPANSION", 2)
    login_as(make_user(Role.STAFF))
    page = client.get("/patents/", query_string={"q": "吸顶灯 AND co*"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "“co*” stands for more than 2 words" in text


def test_a_query_the_search_cannot_evaluate_is_refused_with_a_message(client, login_as, app, monkeypatch):
    """A parser that makes a kind of node the array evaluation has no rule for (a range of words, here) gets a
    400 naming that part, on the results page and the export, in the searcher's language: never a server error."""
    add_records(*RECORDS)
    monkeypatch.setattr(query, "term_range", lambda field, token: wq.TermRange("ti", "lamp", "lantern"))
    login_as(make_user(Role.STAFF))
    for address in ("/patents/", "/patents/export.csv"):
        page = client.get(address, query_string={"q": "shade AND ti:[lamp TO lantern]"})
        assert page.status_code == 400 and "The search cannot evaluate “ti:[lamp TO lantern]” in this query: write " \
            "it with words, phrases, wildcards, field prefixes or dates." in page.get_data(as_text=True), address
    client.submit("/logout", page="/")
    login_as(make_user(Role.STAFF, language="zh"))
    page = client.get("/patents/", query_string={"q": "shade AND ti:[lamp TO lantern]"})
    assert page.status_code == 400 and "检索无法处理本检索式中的“ti:[lamp TO lantern]”" in page.get_data(as_text=True)


def test_an_index_of_another_layout_asks_for_a_rebuild(client, login_as, runner, app):
    from whoosh import fields
    folder = index_folder()
    folder.mkdir(parents=True, exist_ok=True)
    index.create_in(folder, fields.Schema(id=fields.ID(stored=True)))
    login_as(make_user(Role.STAFF))
    page = client.get("/patents/", query_string={"q": "lamp"})
    assert page.status_code == 503 and "flask search rebuild" in page.get_data(as_text=True)
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 1 and "run `flask search rebuild`" in check.output
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert client.get("/patents/", query_string={"q": "lamp"}).status_code == 200


def test_results_come_in_score_order_with_every_match_counted(demo_collection):
    results = search_patents(ALL_RECORDS, "吸顶灯 OR ceiling", per_page=50)
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] > 0
    assert results.total == len(whoosh_ids(demo_collection, parse_query("吸顶灯 OR ceiling")))
    assert db.session.scalar(select(Patent.id).where(Patent.id == results.hits[0].patent.id))


def test_number_lookups_equal_database_counts(demo_collection):
    for text, column, pattern in (("an:2019*", Patent.application_number, "CN2019%"),
                                  ("an:CN2019*", Patent.application_number, "CN2019%"),
                                  ("pn:CN3010*", Patent.publication_number, "CN3010%"),
                                  ("pn:30100001*", Patent.publication_number, "CN30100001%")):
        expected = db.session.scalar(select(func.count()).where(column.like(pattern)))
        assert search_patents(ALL_RECORDS, text).total == expected > 0, text
    number = db.session.scalar(select(Patent.application_number).order_by(Patent.id).limit(1))
    assert [hit.patent.application_number for hit in search_patents(ALL_RECORDS, f"an:{number}").hits] == [number]


def test_searches_keep_up_as_records_change_and_segments_come_and_go(demo_collection):
    before = search_patents(ALL_RECORDS, '"lamp body"')
    patent = db.session.get(Patent, before.hits[0].patent.id)
    patent.abstract += " A frosted glass diffuser covers the lamp body."
    db.session.commit()  # the old version is deleted in its segment, the new one lands in another
    assert search_patents(ALL_RECORDS, '"lamp body"').total == before.total
    assert [h.patent.id for h in search_patents(ALL_RECORDS, '"frosted glass diffuser"').hits] == [patent.id]
    for number in range(3):  # small commits: small segments, some merged by Whoosh as it goes
        db.session.add(Patent(country="CN", publication_number=f"CN39900000{number}", patent_type="design",
                              title=f"磨砂玻璃灯罩 {number}", abstract="frosted glass lamp body"))
        db.session.commit()
    assert search_patents(ALL_RECORDS, '"lamp body"').total == before.total + 3
    assert search_patents(ALL_RECORDS, "ti:磨砂").total == 3


def test_a_phrase_search_after_a_record_changed_finds_its_new_version_only(client, login_as, app):
    add_records(*RECORDS)
    patent = db.session.scalar(select(Patent).where(Patent.publication_number == "US10123456"))
    patent.title = "Lamp shade with fixed louvres"
    db.session.commit()  # the old version stays in its segment, marked deleted
    login_as(make_user(Role.STAFF))
    for text in ('"solar garden"', 'ti:"lamp shade"', 'ab:"reducing glare"', 'ti:"fixed louvres"'):
        page = client.get("/patents/", query_string={"q": text})
        assert page.status_code == 200 and "1 patent found" in page.get_data(as_text=True), text
