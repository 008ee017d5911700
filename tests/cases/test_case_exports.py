"""A case list downloaded as a spreadsheet: what the filters select, in the reader's language, safe to open, and
showing each reader only what its pages show."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ipcenter.audit.models import AuditEntry
from ipcenter.exports import center_time
from ipcenter.extensions import db
from tests.cases.conftest import make_case
from tests.spreadsheets import table_rows


def downloaded(client, path: str, file_format: str, **query) -> list[list[str]]:
    response = client.get(f"{path}/export.{file_format}", query_string=query)
    assert response.status_code == 200 and "attachment; filename=cases-" in response.headers["Content-Disposition"]
    return table_rows(response, file_format)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_staff_download_what_the_finder_selects_every_page_of_it_formula_safe(client, login_as, center, file_format):
    for n in range(25):
        make_case(center, "consultation", title=f"吊灯咨询{n}")
    formula = make_case(center, "consultation", title='=HYPERLINK("http://evil.example","吊灯")')
    make_case(center, "patent_filing", "drafting", title="壁灯外观设计")
    login_as(center.staff["consultation"])
    rows = downloaded(client, "/cases", file_format, q="吊灯", sort="oldest", page="2")
    assert rows[0][:3] == ["Reference", "Kind of request", "Title"] and rows[0][-1] == "Assignee"
    assert len(rows) == 1 + 26 and rows[-1][:3] == [formula.reference, "Consultation",
                                                     "'" + formula.title]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cases.exported"))
    assert entry is not None and entry.after["cases"] == 26


def test_the_enterprise_downloads_its_own_cases_in_its_language_without_the_assignee(client, login_as, center):
    own = make_case(center, "consultation", "answered", title="展会维权咨询")
    center.enterprise.language = "zh"
    db.session.commit()
    login_as(center.enterprise)
    rows = downloaded(client, "/cases", "csv")
    assert rows[0][:5] == ["编号", "请求类型", "标题", "企业", "阶段"] and "承办人" not in rows[0]
    assert [row[0] for row in rows[1:]] == [own.reference]


def test_a_unit_downloads_only_what_is_delegated_to_it(client, login_as, center):
    make_case(center, "consultation")
    delegated = make_case(center, "foreign_assistance", "in_progress")
    delegated.delegated_unit = center.unit
    db.session.commit()
    login_as(center.reporter)
    assert [row[0] for row in downloaded(client, "/cases", "csv")[1:]] == [delegated.reference]


def test_an_unknown_format_is_not_found(client, login_as, center):
    login_as(center.staff["consultation"])
    assert client.get("/cases/export.pdf").status_code == 404


def test_in_the_xlsx_days_and_times_are_dates_and_the_columns_fit_their_chinese_text(client, login_as, center):
    case = make_case(center, "consultation", title="关于古镇灯饰外观设计专利被仿冒的维权咨询")
    center.enterprise.language = "zh"
    db.session.commit()
    login_as(center.enterprise)
    sheet = load_workbook(io.BytesIO(client.get("/cases/export.xlsx").data)).active
    assert sheet.title == "案件"
    headers = [cell.value for cell in sheet[1]]
    due, submitted = sheet[2][headers.index("到期")], sheet[2][headers.index("提交时间")]
    assert (due.value.date(), due.number_format) == (case.due_date, "yyyy-mm-dd")
    assert (submitted.value, submitted.number_format) == (center_time(case.created_at), "yyyy-mm-dd hh:mm")
    assert sheet.column_dimensions["C"].width == 2 * len(case.title) + 2  # the title's column: two per character


def test_a_control_character_pasted_into_a_title_does_not_break_the_xlsx(client, login_as, center):
    make_case(center, "consultation", title="吊灯\x0b咨询")  # a vertical tab, as Word pastes a line break
    login_as(center.staff["consultation"])
    response = client.get("/cases/export.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data)).active["C2"].value == "吊灯咨询"
