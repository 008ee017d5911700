"""A fast-retrieval case's search report: searches recorded, patents cited, delivered as a document."""
import io
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
    for patent, category in zip(patents, "XYA"):
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
