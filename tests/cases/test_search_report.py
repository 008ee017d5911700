"""A fast-retrieval case's search report: searches recorded, patents cited, delivered as a document."""
import io
import re
import zipfile
from datetime import date

from docx import Document
from sqlalchemy import select

from ipcenter.cases.models import Attachment
from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from ipcenter.reports.models import Citation, SearchRecord
from tests.cases.conftest import make_case

LAMPS = [("CN301000001", "水晶吊灯"), ("CN301000002", "六臂水晶吊灯"), ("CN301000003", "金色吊灯灯臂"),
         ("CN301000004", "一种壁灯")]


def _patents() -> list[Patent]:
    for number, title in LAMPS:
        db.session.add(Patent(country="CN", publication_number=number, kind_code="S", patent_type="design",
                              title=title, publication_date=date(2022, 5, 1), locarno="26-05",
                              applicants="中山市古镇明珠照明电器厂"))
    db.session.commit()
    return list(db.session.scalars(select(Patent).order_by(Patent.id)))


def switch(client, login_as, user):
    client.submit("/logout", page="/")
    login_as(user)


def _cite(client, case, patent, category="X", note="公开了相同的灯臂", **fields):
    return client.submit("/citations", {"case": case.reference, "patent_id": patent.id, "category": category,
                                        "note": note, "next": f"/patents/?case={case.reference}", **fields},
                         page=f"/cases/{case.reference}")


def _record(client, case, query, mode="query"):
    """Press “Record this search for the case” on the results page."""
    results = f"/patents/?q={query}&mode={mode}&case={case.reference}"
    return client.submit(f"/cases/{case.reference}/search-report/searches",
                         {"q": query, "mode": mode, "next": results}, page=results)


def _records(case) -> list[tuple[str, str, int]]:
    return [(r.mode, r.query, r.result_count) for r in db.session.scalars(
        select(SearchRecord).where(SearchRecord.case_id == case.id).order_by(SearchRecord.id))]


def test_staff_search_cite_conclude_deliver_and_the_enterprise_downloads(center, client, login_as):
    patents = _patents()
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    page = client.get("/patents/", query_string={"q": "吊灯", "case": case.reference})
    assert page.status_code == 200 and 'id="citing-case"' in page.get_data(as_text=True)
    _record(client, case, "吊灯")
    _record(client, case, "吊灯")  # the same search, noted once
    _record(client, case, "六臂水晶吊灯 金色灯臂", "similar")
    assert _records(case) == [("query", "吊灯", 3), ("similar", "六臂水晶吊灯 金色灯臂", 3)]
    for patent, category in zip(patents, "XYA", strict=False):  # the first three
        assert _cite(client, case, patent, category).status_code == 302
    _cite(client, case, patents[0], "Y", "recategorised", replace="y")
    assert [(c.patent.publication_number, c.category) for c in db.session.scalars(
        select(Citation).order_by(Citation.patent_id))] == [("CN301000001", "Y"), ("CN301000002", "Y"),
                                                             ("CN301000003", "A")]
    assert client.submit(f"/cases/{case.reference}/search-report",
                         {"conclusion": "检索到两篇Y类文件，新颖性存疑。"}).status_code == 302
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="search-report"' in html and "recategorised" in html and "新颖性存疑" in html

    switch(client, login_as, center.enterprise)
    assert client.get(f"/cases/{case.reference}/search-report.docx").status_code == 404  # not delivered yet
    assert 'id="search-report"' not in client.get(f"/cases/{case.reference}").get_data(as_text=True)

    switch(client, login_as, center.staff["retrieval"])
    delivered = client.submit(f"/cases/{case.reference}/actions/deliver_report", {"version": case.version},
                              page=f"/cases/{case.reference}")
    assert delivered.status_code == 302
    db.session.refresh(case)
    attachment = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    assert case.stage == "report_delivered" and attachment.original_name == f"search-report-{case.reference}.docx"

    switch(client, login_as, center.enterprise)
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="report-conclusion"' in html and "CN301000002" in html and "/patents/" not in \
        html.split('id="search-report"')[1].split("</section>")[0]
    document = client.get(f"/cases/{case.reference}/search-report.docx")
    assert document.status_code == 200
    text = "\n".join(cell.text for table in Document(io.BytesIO(document.data)).tables
                     for row in table.rows for cell in row.cells)
    assert "六臂水晶吊灯" in text and "CN301000002S" in text and "吊灯" in text
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(document.data)).paragraphs)
    assert "新颖性存疑" in paragraphs
    styles = zipfile.ZipFile(io.BytesIO(document.data)).read("word/styles.xml").decode()
    assert 'w:eastAsia="SimSun"' in styles  # Chinese text gets a CJK font
    assert client.get(f"/cases/{case.reference}/attachments/{attachment.id}").status_code == 200

    switch(client, login_as, center.other_enterprise)
    assert client.get(f"/cases/{case.reference}/search-report.docx").status_code == 404


def test_delivery_needs_a_conclusion(center, client, login_as):
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    refused = client.submit(f"/cases/{case.reference}/actions/deliver_report", {"version": case.version},
                            page=f"/cases/{case.reference}")
    assert refused.status_code == 400 and "conclusion" in refused.get_data(as_text=True)
    assert case.stage == "searching"


def test_only_the_retrieval_post_cites_and_only_while_searching(center, client, login_as):
    patent = _patents()[0]
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["consultation"])
    assert _cite(client, case, patent).status_code == 400
    switch(client, login_as, center.enterprise)
    assert _cite(client, case, patent).status_code == 400
    switch(client, login_as, center.other_enterprise)
    assert _cite(client, case, patent).status_code == 404
    delivered = make_case(center, "fast_retrieval", "report_delivered")
    switch(client, login_as, center.staff["retrieval"])
    assert _cite(client, delivered, patent).status_code == 400
    refused = client.submit("/citations", {"case": case.reference, "patent_id": patent.id, "category": "Z"},
                            page=f"/cases/{case.reference}")
    assert refused.status_code == 400 and "Category" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Citation)) is None
    consultation = make_case(center, "consultation", "answering")
    assert _cite(client, consultation, patent).status_code == 400


def test_patent_page_offers_the_cases_being_searched_and_shows_citations_to_those_who_may_see(center, client,
                                                                                             login_as):
    patent = _patents()[0]
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    html = client.get(f"/patents/{patent.id}").get_data(as_text=True)
    assert f'<option value="{case.reference}">' in html
    _cite(client, case, patent)
    assert case.reference in client.get(f"/patents/{patent.id}").get_data(as_text=True)
    switch(client, login_as, center.other_enterprise)
    html = client.get(f"/patents/{patent.id}").get_data(as_text=True)
    assert case.reference not in html and 'id="cited-in"' not in html


def _unpublished(number, title, organisation) -> Patent:
    """An application filed through the center and not yet published: only its own organisation may see it."""
    patent = Patent(country="CN", publication_number=number, kind_code="S", patent_type="design", title=title,
                    publication_date=None, locarno="26-05", organisation_id=organisation.id)
    db.session.add(patent)
    db.session.commit()
    return patent


def _deliver(client, case):
    db.session.refresh(case)
    return client.submit(f"/cases/{case.reference}/actions/deliver_report", {"version": case.version},
                         page=f"/cases/{case.reference}")


def _report_section(client, case) -> str:
    return client.get(f"/cases/{case.reference}").get_data(as_text=True).split('id="search-report"')[1] \
        .split("</section>")[0]


def test_staff_cannot_cite_another_organisations_unpublished_record_into_a_case(center, client, login_as):
    _patents()
    secret = _unpublished("CN309999001", "竞争对手未公开的吊灯", center.other_enterprise.organisation)
    own = _unpublished("CN309999002", "本企业未公开的吊灯", center.enterprise.organisation)
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    refused = _cite(client, case, secret)
    assert refused.status_code == 400
    assert "CN309999001S cannot be cited in" in refused.get_data(as_text=True)
    assert "may not see" in refused.get_data(as_text=True)
    assert _cite(client, case, own).status_code == 302  # its own application is the enterprise's to see
    assert [c.patent_id for c in db.session.scalars(select(Citation))] == [own.id]

    assert client.submit(f"/cases/{case.reference}/search-report", {"conclusion": "结论"}).status_code == 302
    assert _deliver(client, case).status_code == 302
    switch(client, login_as, center.enterprise)
    report = _report_section(client, case)
    assert "本企业未公开的吊灯" in report and "竞争对手" not in report and "CN309999001" not in report
    document = Document(io.BytesIO(client.get(f"/cases/{case.reference}/search-report.docx").data))
    cells = " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "CN309999002" in cells and "CN309999001" not in cells


def test_a_citation_made_before_the_rule_does_not_reach_the_enterprise(center, client, login_as):
    secret = _unpublished("CN309999001", "竞争对手未公开的吊灯", center.other_enterprise.organisation)
    case = make_case(center, "fast_retrieval", "report_delivered", outcome="report_delivered")
    db.session.add(Citation(case_id=case.id, patent=secret, category="X", cited_by=center.staff["retrieval"]))
    db.session.commit()
    login_as(center.enterprise)
    assert "CN309999001" not in _report_section(client, case)


def test_hits_of_a_recorded_search_are_counted_as_the_enterprise_sees_them(center, client, login_as):
    _patents()  # three published chandeliers (吊灯)
    _unpublished("CN309999001", "竞争对手未公开的吊灯", center.other_enterprise.organisation)
    _unpublished("CN309999002", "本企业未公开的吊灯", center.enterprise.organisation)
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    page = client.get("/patents/", query_string={"q": "吊灯", "case": case.reference}).get_data(as_text=True)
    assert "5 patents found" in page  # the center sees every record
    recorded = _record(client, case, "吊灯")
    assert recorded.status_code == 302 and recorded.location.startswith("/patents/?q=")
    assert _records(case) == [("query", "吊灯", 4)]  # the three published and the enterprise's own
    assert "4 hits, counted as the enterprise sees the collection" in client.get(recorded.location) \
        .get_data(as_text=True)
    client.submit(f"/cases/{case.reference}/search-report", {"conclusion": "结论"})
    _deliver(client, case)

    switch(client, login_as, center.enterprise)
    assert "<td>4</td>" in _report_section(client, case)
    document = Document(io.BytesIO(client.get(f"/cases/{case.reference}/search-report.docx").data))
    searches = document.tables[1]
    assert [cell.text for cell in searches.rows[1].cells] == ["1", "检索式 / query", "吊灯", "4"]


def test_showing_results_records_nothing_and_the_button_records_the_search(center, client, login_as):
    _patents()
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    pages = [client.get("/patents/", query_string={"q": query, "case": case.reference}) for query in ("吊灯", "壁灯")]
    assert _records(case) == []
    assert all('id="record-search-button"' in page.get_data(as_text=True) for page in pages)
    assert _record(client, case, "壁灯").status_code == 302
    assert _records(case) == [("query", "壁灯", 1)]
    unprotected = client.post(f"/cases/{case.reference}/search-report/searches", data={"q": "吊灯", "mode": "query"})
    assert unprotected.status_code == 400 and _records(case) == [("query", "壁灯", 1)]  # no CSRF token
    malformed = _record(client, case, "ti:(吊灯")
    assert malformed.status_code == 400 and _records(case) == [("query", "壁灯", 1)]

    switch(client, login_as, center.staff["consultation"])
    assert _record(client, case, "吊灯").status_code == 400
    switch(client, login_as, center.enterprise)
    assert _record(client, case, "吊灯").status_code == 400
    assert _records(case) == [("query", "壁灯", 1)]


def test_staff_remove_a_recorded_search_before_delivery_and_not_after(center, client, login_as):
    _patents()
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    _record(client, case, "吊灯")
    _record(client, case, "壁灯")
    first, second = db.session.scalars(select(SearchRecord).order_by(SearchRecord.id))
    assert f'id="remove-search-{first.id}"' in _report_section(client, case)
    removed = client.submit(f"/cases/{case.reference}/search-report/searches/{first.id}/remove",
                            page=f"/cases/{case.reference}")
    assert removed.status_code == 302 and _records(case) == [("query", "壁灯", 1)]
    client.submit(f"/cases/{case.reference}/search-report", {"conclusion": "结论"})
    _deliver(client, case)
    assert 'id="remove-search-' not in _report_section(client, case)
    refused = client.submit(f"/cases/{case.reference}/search-report/searches/{second.id}/remove",
                            page=f"/cases/{case.reference}")
    assert refused.status_code == 400 and "Searching" in refused.get_data(as_text=True)
    assert _records(case) == [("query", "壁灯", 1)]


def test_citing_a_patent_cited_already_asks_before_replacing_it(center, client, login_as):
    patent = _patents()[0]
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    _cite(client, case, patent, "X", "公开了相同的灯臂")
    page = client.get("/patents/", query_string={"q": "水晶吊灯", "case": case.reference}).get_data(as_text=True)
    assert f'id="existing-citation-{patent.id}"' in page and f'id="cite-replace-{patent.id}"' in page

    asked = _cite(client, case, patent, "A", "只是背景")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and 'id="replace-citation"' in html and "公开了相同的灯臂" in html
    assert 'name="replace" value="y"' in html and "只是背景" in html
    citation = db.session.scalar(select(Citation))
    db.session.refresh(citation)
    assert (citation.category, citation.note) == ("X", "公开了相同的灯臂")  # nothing changed without confirming

    assert _cite(client, case, patent, "A", "只是背景", replace="y").status_code == 302
    db.session.refresh(citation)
    assert (citation.category, citation.note) == ("A", "只是背景")


def _links(html: str, path: str) -> list[str]:
    return re.findall(rf'href="({re.escape(path)}[^"]*)"', html)


def test_the_case_follows_the_searcher_to_patent_pages_and_similar_patents(center, client, login_as):
    patents = _patents()
    soonest = make_case(center, "fast_retrieval", "searching", due_date=date(2020, 1, 1))
    soonest.organisation = center.other_enterprise.organisation  # another enterprise's case, due first
    case = make_case(center, "fast_retrieval", "searching")
    db.session.commit()
    login_as(center.staff["retrieval"])
    results = client.get("/patents/", query_string={"q": "吊灯", "case": case.reference}).get_data(as_text=True)
    assert f'href="/patents/{patents[0].id}?case={case.reference}"' in results
    assert f'href="/patents/{patents[0].id}/similar?case={case.reference}"' in results

    page = client.get(f"/patents/{patents[0].id}?case={case.reference}").get_data(as_text=True)
    assert f'<option value="{case.reference}" selected>' in page
    assert f'<option value="{soonest.reference}">' in page  # offered, not chosen
    assert f'/patents/{patents[0].id}/similar?case={case.reference}' in page
    assert all(f"case={case.reference}" in link for link in _links(page, "/patents/") if "/similar" in link or
               link.split("?")[0].rstrip("/").split("/")[-1].isdigit())

    similar = client.get(f"/patents/{patents[0].id}/similar?case={case.reference}").get_data(as_text=True)
    assert 'id="citing-case"' in similar and f'id="cite-{patents[1].id}"' in similar
    assert f'<input type="hidden" name="case" value="{case.reference}">' in similar
    assert f'href="/patents/{patents[1].id}?case={case.reference}"' in similar
    assert _cite(client, case, patents[1], next=f"/patents/{patents[0].id}/similar?case={case.reference}") \
        .location == f"/patents/{patents[0].id}/similar?case={case.reference}"
    assert [c.case_id for c in db.session.scalars(select(Citation))] == [case.id]

    plain = client.get(f"/patents/{patents[0].id}").get_data(as_text=True)
    assert '<option value="" selected>' in plain  # without a case in hand, no case is chosen for the searcher


def test_the_report_document_is_a4_on_the_centers_letterhead_and_versioned_per_delivery(app, center, client,
                                                                                       login_as):
    patent = _patents()[0]
    case = make_case(center, "fast_retrieval", "searching")
    case.assignee = center.staff["retrieval"]
    db.session.commit()
    login_as(center.staff["retrieval"])
    _cite(client, case, patent)
    client.submit(f"/cases/{case.reference}/search-report", {"conclusion": "第一版结论"})
    assert _deliver(client, case).status_code == 302
    switch(client, login_as, center.enterprise)
    asked = client.submit(f"/cases/{case.reference}/actions/ask_question",
                          {"version": case.version, "comment": "请补充检索美国专利"}, page=f"/cases/{case.reference}")
    assert asked.status_code == 302
    switch(client, login_as, center.staff["retrieval"])
    client.submit(f"/cases/{case.reference}/search-report", {"conclusion": "第二版结论"})
    assert _deliver(client, case).status_code == 302

    attachments = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                     .order_by(Attachment.id)).all()
    assert [a.original_name for a in attachments] == [f"search-report-{case.reference}.docx",
                                                      f"search-report-{case.reference}-v2.docx"]
    switch(client, login_as, center.enterprise)
    download = client.get(f"/cases/{case.reference}/search-report.docx")
    assert f"filename=search-report-{case.reference}-v2.docx" in download.headers["Content-Disposition"]
    first, second = (Document(io.BytesIO(client.get(f"/cases/{case.reference}/attachments/{a.id}").data))
                     for a in attachments)
    for document in (first, second):
        section = document.sections[0]
        assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4, as Word writes it
        assert section.header.paragraphs[0].text == \
            f"{app.config['CENTER_NAME_ZH']}\n{app.config['CENTER_NAME_EN']}"
        assert document.core_properties.author == app.config["CENTER_NAME_ZH"] == "古镇知识产权快速维权中心"
        rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
        assert rows["检索人员 / Searcher"] == center.staff["retrieval"].display_name
    assert "第一版结论" in [p.text for p in first.paragraphs] and "第二版结论" in [p.text for p in second.paragraphs]
    assert [document.core_properties.revision for document in (first, second)] == [1, 2]
