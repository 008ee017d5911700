"""Searching: Chinese and English, every field prefix, ranges, wildcards, facets, errors, who sees what."""
import csv
import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.patents.demo import seed_demo_patents
from ipcenter.patents.index import check_index
from ipcenter.patents.models import Patent
from ipcenter.patents.query import QueryError, parse_query
from ipcenter.patents.search import ALL_RECORDS, search_patents, similar_patents
from tests.conftest import make_organisation, make_user
from tests.snapshots import built_once

RECORDS = [
    dict(publication_number="CN212345678", kind_code="U", patent_type="utility_model", country="CN",
         application_number="CN202120123456.9", filing_date=date(2021, 3, 2), publication_date=date(2021, 6, 15),
         title="一种LED吸顶灯", abstract="本实用新型公开了一种LED吸顶灯，灯体由铝合金制成，散热良好。",
         claims="1. 一种LED吸顶灯，包括灯体和灯罩。", applicants="中山市古镇华辉灯饰有限公司", inventors="陈伟; 李芳",
         ipc="F21S 8/04; F21V 29/70", cpc="F21Y 2115/10"),
    dict(publication_number="US10123456", kind_code="B2", patent_type="invention", country="US",
         application_number="US16012345", filing_date=date(2019, 5, 20), publication_date=date(2020, 11, 3),
         title="Lamp shade with adjustable louvres", abstract="A lamp shade whose louvres are adjustable, "
         "reducing glare from the light source.", claims="1. A lamp shade comprising a frame and louvres.",
         applicants="Bright Fixtures Inc.", inventors="John Smith", ipc="F21V 1/00", cpc="F21V 1/06"),
    dict(publication_number="CN305123456", kind_code="S", patent_type="design", country="CN",
         application_number="CN202130123456.8", filing_date=date(2021, 1, 10), publication_date=date(2021, 3, 5),
         title="水晶吊灯", abstract="本外观设计产品的名称是水晶吊灯。The crystal shade of a chandelier.",
         applicants="中山市古镇明珠照明电器厂", inventors="黄志强", locarno="26-05"),
    dict(publication_number="CN206000001", kind_code="U", patent_type="utility_model", country="CN",
         application_number="CN201620000001.3", filing_date=date(2016, 8, 1), publication_date=date(2017, 2, 1),
         title="一种太阳能庭院灯", abstract="太阳能电池板为蓄电池充电，夜间点亮庭院。Solar garden lamps lighting "
         "the yard at night.", claims="1. 一种太阳能庭院灯。", applicants="中山市古镇华辉灯饰有限公司",
         inventors="陈伟", ipc="F21S 9/03"),
]


def add_records(*records, **common):
    for record in records:
        db.session.add(Patent(**{**record, **common}))
    db.session.commit()


@pytest.fixture
def collection(app):
    return built_once("the search records", app, add_collection)


def add_collection():
    add_records(*RECORDS)
    return {p.publication_number: p.id for p in db.session.scalars(select(Patent))}


def found(query: str, user=ALL_RECORDS) -> list[str]:
    return sorted(hit.patent.publication_number for hit in search_patents(user, query, per_page=100).hits)


def test_the_index_follows_each_commit(collection):
    assert check_index() == {"missing": [], "stale": [], "extra": []}
    patent = db.session.get(Patent, collection["CN212345678"])
    patent.title = "一种智能筒灯"
    db.session.commit()
    assert found("筒灯") == ["CN212345678"] and found("ti:吸顶灯") == []
    db.session.delete(patent)
    db.session.commit()
    assert found("筒灯") == [] and check_index() == {"missing": [], "stale": [], "extra": []}


@pytest.mark.parametrize("query, expected", [
    ("吸顶灯", ["CN212345678"]),  # a word inside 一种LED吸顶灯
    ("LED吸顶灯", ["CN212345678"]),
    ("顶灯", ["CN212345678"]),  # a dictionary word inside a compound
    ("lamps", ["CN206000001", "US10123456"]),  # stemmed: lamp, lamps
    ("lighting", ["CN206000001", "US10123456"]),  # light source, lighting
    ("the shade", ["CN305123456", "US10123456"]),  # the stop word is not required
    ("铝合金 散热", ["CN212345678"]),
])
def test_chinese_and_english_matching(collection, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("ti:吸顶灯", ["CN212345678"]),
    ("ti:shade", ["US10123456"]),
    ("ab:glare", ["US10123456"]),
    ("ab:蓄电池", ["CN206000001"]),
    ("cl:灯罩", ["CN212345678"]),
    ("cl:frame", ["US10123456"]),
    ("pa:华辉", ["CN206000001", "CN212345678"]),
    ('pa:"Bright Fixtures"', ["US10123456"]),
    ("in:陈伟", ["CN206000001", "CN212345678"]),
    ("in:smith", ["US10123456"]),
    ("ipc:F21S", ["CN206000001", "CN212345678"]),
    ("ipc:F21V29/70", ["CN212345678"]),
    ('ipc:"F21V 1/00"', ["US10123456"]),
    ("cpc:F21Y2115/10", ["CN212345678"]),
    ("lc:26-05", ["CN305123456"]),
    ("lc:26", ["CN305123456"]),
    ("lc:2605", ["CN305123456"]),
    ("pn:CN305123456S", ["CN305123456"]),
    ("pn:305123456", ["CN305123456"]),
    ("pn:US010123456", ["US10123456"]),
    ("pn:10123456B2", ["US10123456"]),
    ('an:"CN 2021 3 0123456.8"', ["CN305123456"]),
    ("an:202130123456.8", ["CN305123456"]),
    ("an:202130123456", ["CN305123456"]),
    ("an:US16/012,345", ["US10123456"]),
    ("pd:2021", ["CN212345678", "CN305123456"]),
    ("pd:202106", ["CN212345678"]),
    ("pd:20210305", ["CN305123456"]),
    ("ad:2019", ["US10123456"]),
])
def test_every_field_prefix(collection, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("pd:[20200101 TO 20211231]", ["CN212345678", "CN305123456", "US10123456"]),
    ("pd:[20210305 TO 20210305]", ["CN305123456"]),
    ("pd:[2021 TO *]", ["CN212345678", "CN305123456"]),
    ("pd:[* TO 2017]", ["CN206000001"]),
    ("ad:[2019-01-01 TO 2021-01-31]", ["CN305123456", "US10123456"]),
])
def test_date_ranges(collection, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("lamp*", ["CN206000001", "US10123456"]),
    ("louv*", ["US10123456"]),
    ("吸顶*", ["CN212345678"]),
    ("ipc:F21V*", ["CN212345678", "US10123456"]),
    ("ipc:F21V2*", ["CN212345678"]),
    ("lc:26*", ["CN305123456"]),
    ("pn:CN2123*", ["CN212345678"]),
    ("sh?de", ["CN305123456", "US10123456"]),
])
def test_wildcards(collection, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("吸顶灯 OR 吊灯", ["CN212345678", "CN305123456"]),
    ("pa:华辉 AND NOT 太阳能", ["CN212345678"]),
    ("pa:华辉 NOT ti:(太阳能 OR 筒灯)", ["CN212345678"]),
    ("(shade OR 庭院) AND pd:[2020 TO *]", ["CN305123456", "US10123456"]),
    ('"lamp shade"', ["US10123456"]),
    ('"shade lamp"', []),
    ('"lamp louvres"', []),
    ('"lamp louvres"~3', ["US10123456"]),
    ('ti:"吸顶灯"', ["CN212345678"]),
])
def test_boolean_phrases_and_proximity(collection, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize("typed, meant", [
    ("ti：吸顶灯", "ti:吸顶灯"),
    ("ti：（吸顶灯　OR　吊灯）", "ti:(吸顶灯 OR 吊灯)"),
    ("pa：华辉 ＡＮＤ ＮＯＴ （太阳能）", "pa:华辉 AND NOT (太阳能)"),
    ("NOT “lamp louvres”", 'NOT "lamp louvres"'),  # a phrase, not two words
    ("“lamp louvres”～３", '"lamp louvres"~3'),
    ("pd：【２０２０ TO ＊】", "pd:[2020 TO *]"),
    ("ＩＰＣ：Ｆ２１Ｖ＊", "ipc:F21V*"),
    ("an：US16／012，345", "an:US16/012,345"),
    ("ＬＥＤ吸顶灯", "LED吸顶灯"),
])
def test_what_a_chinese_keyboard_types_means_the_same_as_ascii(collection, typed, meant):
    assert found(typed) == found(meant) != []


def test_a_mistake_typed_in_full_width_is_pointed_at_where_it_was_typed():
    with pytest.raises(QueryError) as refusal:
        parse_query("ti：吸顶灯 （lamp")
    assert refusal.value.position == 7 and "never closed" in str(refusal.value)


@pytest.mark.parametrize("query, position, words", [
    ("(lamp", 0, "never closed"),
    ("lamp)", 4, "no opening"),
    ("lamp AND", 5, "after it"),
    ("OR lamp", 0, "before it"),
    ("xx:lamp", 0, "Unknown field"),
    ("pd:2021-13", 3, "not a date"),
    ('"lamp shade', 0, "quotation mark"),
    ("pd:[2022 TO 2020]", 3, "starts after it ends"),
    ("pd:[2020 2021]", 3, "[start TO end]"),
    ("pd:2020]", 7, "no “[” before it"),
    ("吸顶灯】", 3, "no “[” before it"),  # as a Chinese keyboard types it
    ("ti:[2020 TO 2021]", 3, "Ranges work on dates"),
    ("*amp", 0, "before a wildcard"),
    ("ti:", 0, "needs a value"),
    ("()", 0, "empty"),
    ("ipc:F2*V", 4, "trailing"),
    ("(" * 40 + "lamp" + ")" * 40, 32, "at most 32 deep"),
    ("NOT " * 40 + "lamp", 128, "at most 32 deep"),
])
def test_malformed_queries_are_explained(query, position, words):
    with pytest.raises(QueryError) as refusal:
        parse_query(query)
    assert refusal.value.position == position and words in str(refusal.value)


@pytest.mark.parametrize("query", ["(lamp", "pd:[2022 TO 2020]", "xx:lamp", "lamp AND", '"x', "NOT", "ti:(", "lamp ]"])
def test_malformed_query_page_is_a_400_pointing_at_the_problem(client, login_as, query):
    login_as(make_user(Role.STAFF))
    response = client.get("/patents/", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="query-error"' in html and "^" in html


def test_facet_counts_equal_database_counts(app):
    seed_demo_patents(600)
    db.session.commit()
    results = search_patents(ALL_RECORDS, "pd:[1900 TO *]", per_page=10)
    facets = {name: {f.value: f.count for f in values} for name, values in results.facets.items()}
    by_type = dict(db.session.execute(select(Patent.patent_type, func.count()).group_by(Patent.patent_type)).all())
    assert facets["type"] == by_type and results.total == 600
    years = db.session.execute(select(Patent.publication_date)).scalars()
    assert facets["year"] == dict(__import__("collections").Counter(str(d.year) for d in years))
    applicants = dict(db.session.execute(select(Patent.applicants, func.count()).group_by(Patent.applicants)).all())
    assert all(applicants[name] == count for name, count in facets["applicant"].items())
    narrowed = search_patents(ALL_RECORDS, "吸顶灯", chosen={"type": ["design"], "year": ["2020"]}, per_page=100)
    expected = db.session.scalar(select(func.count()).where(
        Patent.title.contains("吸顶灯"), Patent.patent_type == "design",
        Patent.publication_date.between(date(2020, 1, 1), date(2020, 12, 31))))
    assert narrowed.total == expected == sum(f.count for f in narrowed.facets["type"])
    locarno = search_patents(ALL_RECORDS, "pd:[1900 TO *]", chosen={"cls": ["26-05"]}, per_page=10).total
    assert locarno == db.session.scalar(select(func.count()).where(Patent.locarno == "26-05"))


def test_sorting_and_paging(collection):
    newest = [h.patent.publication_number for h in search_patents(ALL_RECORDS, "pd:[2000 TO *]", sort="newest").hits]
    assert newest == ["CN212345678", "CN305123456", "US10123456", "CN206000001"]
    oldest = search_patents(ALL_RECORDS, "pd:[2000 TO *]", sort="oldest", page=2, per_page=3)
    assert [h.patent.publication_number for h in oldest.hits] == ["CN212345678"] and oldest.pages == 2


def test_similar_patent_search_ranks_the_closest_first(collection):
    description = ("我们的新产品是一款太阳能庭院灯：白天太阳能电池板为蓄电池充电，夜间自动点亮，"
                   "适用于庭院和花园。Solar powered garden lamp.")
    results = similar_patents(ALL_RECORDS, description)
    assert results.hits[0].patent.publication_number == "CN206000001"
    like = similar_patents(ALL_RECORDS, "adjustable louvres reduce glare of the lamp shade")
    assert like.hits[0].patent.publication_number == "US10123456"


def test_results_page_highlights_in_both_languages(client, login_as, collection):
    login_as(make_user(Role.STAFF))
    html = client.get("/patents/", query_string={"q": "吸顶灯 OR glare"}).get_data(as_text=True)
    assert '<mark class="match term0">吸顶灯</mark>' in html or "吸顶灯</mark>" in html
    assert "glare</mark>" in html
    assert 'data-facet="type"' in html and "2 patents found" in html


def test_facet_links_narrow_the_search(client, login_as, collection):
    login_as(make_user(Role.STAFF))
    html = client.get("/patents/", query_string={"q": "pa:华辉", "year": "2021"}).get_data(as_text=True)
    assert "1 patent found" in html and "✓ 2021" in html


def test_patent_page_and_more_like_this(client, login_as, collection):
    login_as(make_user(Role.ENTERPRISE))
    page = client.get(f"/patents/{collection['CN212345678']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "一种LED吸顶灯" in html and "F21S 8/04" in html and 'id="similar"' in html
    similar = client.get(f"/patents/{collection['US10123456']}/similar")
    assert similar.status_code == 200 and "CN305123456" in similar.get_data(as_text=True)
    assert client.get("/patents/999999").status_code == 404


def test_exports_hold_the_results(client, login_as, collection):
    login_as(make_user(Role.STAFF))
    csv_response = client.get("/patents/export.csv", query_string={"q": "pa:华辉", "sort": "newest"})
    rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Publication number" and [r[0] for r in rows[1:]] == ["CN212345678U", "CN206000001U"]
    assert rows[1][2] == "一种LED吸顶灯"
    xlsx = client.get("/patents/export.xlsx", query_string={"q": "lc:26-05"})
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[2]][:3] == ["CN305123456S", "Design", "水晶吊灯"]
    assert client.get("/patents/export.csv", query_string={"q": "(lamp"}).status_code == 400
    assert client.get("/patents/export.pdf", query_string={"q": "lamp"}).status_code == 404


def test_enterprises_never_see_other_organisations_unpublished_records(client, login_as, app):
    mine, theirs = make_organisation(), make_organisation()
    add_records(dict(RECORDS[0], publication_number="CN299000001", publication_date=None, title="一种防眩光筒灯"),
                organisation_id=theirs.id)
    add_records(dict(RECORDS[0], publication_number="CN299000002", publication_date=None, title="一种防眩光射灯"),
                organisation_id=mine.id)
    secret = db.session.scalar(select(Patent).where(Patent.publication_number == "CN299000001"))
    user = make_user(Role.ENTERPRISE, organisation=mine)
    assert found("防眩光", user) == ["CN299000002"]
    assert found("防眩光", make_user(Role.STAFF)) == ["CN299000001", "CN299000002"]
    assert [h.patent.publication_number for h in similar_patents(user, "防眩光筒灯 射灯").hits] == ["CN299000002"]
    results = search_patents(user, "pd:[1900 TO *] OR 防眩光")
    assert "CN299000001" not in {h.patent.publication_number for h in results.hits}
    assert all(f.count == 1 for f in results.facets["type"])
    login_as(user)
    assert client.get(f"/patents/{secret.id}").status_code == 404
    assert "CN299000001" not in client.get("/patents/export.csv", query_string={"q": "防眩光"}).get_data(as_text=True)
    assert "0 patents found" in client.get("/patents/", query_string={"q": "pn:CN299000001"}).get_data(as_text=True)


def test_search_pages_need_a_login_and_help_is_bilingual(client):
    assert client.get("/patents/").status_code == 302
    english = client.get("/patents/help").get_data(as_text=True)
    chinese = client.get("/patents/help", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "Publication date" in english and "pd:[20200101 TO 20211231]" in english
    assert "公开日" in chinese and "pd:[20200101 TO 20211231]" in chinese


def test_command_line_search(runner, collection):
    text = runner.invoke(args=["patents", "search", "pa:华辉", "--limit", "1"])
    assert text.exit_code == 0 and text.output.count("\n") == 2 and "2 found, 1 shown" in text.output
    as_json = runner.invoke(args=["patents", "search", "ti:shade", "--json"])
    record = json.loads(as_json.stdout.splitlines()[0])
    assert record["publication_number"] == "US10123456B2" and record["applicants"] == ["Bright Fixtures Inc."]
    similar = runner.invoke(args=["patents", "search", "--similar", "太阳能庭院灯 solar garden lamp"])
    assert similar.stdout.splitlines()[0].startswith("CN206000001U")
    broken = runner.invoke(args=["patents", "search", "pd:[2022 TO 2020]"])
    # the command line speaks the center's language (Chinese) and marks the place
    assert broken.exit_code == 2 and "起点晚于终点" in broken.output and "\n     ^" in broken.output


def test_a_new_order_or_page_keeps_the_chosen_facets(client, login_as, app):
    add_records(*[dict(RECORDS[2], publication_number=f"CN3060{n:05d}", title=f"水晶吊灯 {n}") for n in range(25)],
                RECORDS[0])
    login_as(make_user(Role.STAFF))
    html = client.get("/patents/", query_string={"q": "吊灯 OR 吸顶灯", "type": "design"}).get_data(as_text=True)
    form = html[html.index('id="search-form"'):html.index("</form>", html.index('id="search-form"'))]
    assert '<input type="hidden" name="type" value="design">' in form and "25 patents found" in html
    reordered = client.get("/patents/", query_string={"q": "吊灯 OR 吸顶灯", "sort": "newest", "type": "design"})
    assert "25 patents found" in reordered.get_data(as_text=True)
    next_page = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "type=design" in next_page
    second = client.get(next_page).get_data(as_text=True)
    assert "25 patents found" in second and "✓ " in second and "Page 2 of 2" in second


def test_parameters_named_like_url_fors_own_stay_parameters_in_every_link(client, login_as, app):
    """`endpoint`, `_anchor` and the like in the address are parameters like any other: kept in the page, facet
    and export links as they were given."""
    add_records(*[dict(RECORDS[2], publication_number=f"CN3060{n:05d}", title=f"水晶吊灯 {n}") for n in range(25)])
    login_as(make_user(Role.STAFF))
    response = client.get("/patents/?q=吊灯&endpoint=x&_anchor=y&file_format=pdf")
    links = set(re.findall(r'href="(/patents/[^"]*)"', response.get_data(as_text=True).replace("&amp;", "&")))
    kept = "q=%E5%90%8A%E7%81%AF&endpoint=x&_anchor=y&file_format=pdf"
    assert response.status_code == 200 and {f"/patents/?{kept}&page=2", f"/patents/export.csv?{kept}",
                                            f"/patents/?{kept}&type=design"} <= links


def test_a_parameter_named_like_the_patent_on_its_similar_page_stays_a_parameter(client, login_as, collection):
    login_as(make_user(Role.STAFF))
    patent_id = collection["US10123456"]
    response = client.get(f"/patents/{patent_id}/similar?patent_id=1")
    assert response.status_code == 200
    assert f'href="/patents/{patent_id}/similar?patent_id=1&amp;type=design"' in response.get_data(as_text=True)


def test_a_highlighted_title_or_snippet_keeps_its_brackets(client, login_as, app):
    add_records(dict(RECORDS[0], title="一种LED吸顶灯（带遥控）", abstract="灯体散热良好（铝合金）。"))
    login_as(make_user(Role.STAFF))
    html = client.get("/patents/", query_string={"q": "吸顶灯 OR 散热"}).get_data(as_text=True)
    assert "吸顶灯</mark>（带遥控）</a>" in html and "良好（铝合金）。</p>" in html


def test_the_caret_points_at_the_mistake_under_chinese_text(client, login_as, runner, app):
    login_as(make_user(Role.STAFF))
    page = client.get("/patents/", query_string={"q": "ti:吸顶灯\r\nAND （灯罩 OR lamp"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "AND （灯罩 OR lamp\n" \
        '<span class="invisible">AND </span><span class="caret">^</span></pre>' in html
    broken = runner.invoke(args=["patents", "search", "吸顶灯 AND (lamp"])
    # in a terminal a Chinese character takes two columns
    assert "\n  吸顶灯 AND (lamp\n             ^" in broken.output


def test_similar_patents_are_the_closest_records_not_every_match(client, login_as, app):
    seed_demo_patents(600)
    db.session.commit()
    patent = db.session.scalar(select(Patent).order_by(Patent.id).limit(1))
    login_as(make_user(Role.STAFF))
    html = client.get(f"/patents/{patent.id}/similar").get_data(as_text=True)
    assert "The 50 closest records" in html and "Page 1 of 3" in html
    results = similar_patents(ALL_RECORDS, patent.title + " " + patent.abstract, per_page=50)
    scores = [hit.score for hit in results.hits]
    assert results.total == len(scores) == 50 and min(scores) >= 0.2 * max(scores)
    assert sum(f.count for f in results.facets["type"]) == 50
    few = similar_patents(ALL_RECORDS, "吸顶灯 遥控 aluminium", per_page=50)
    assert few.total == len([hit for hit in few.hits if hit.score >= 0.2 * few.hits[0].score]) <= 50
