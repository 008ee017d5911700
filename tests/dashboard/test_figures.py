"""The manager reads October's figures on the dashboard, downloads October's report as XLSX and CSV, and cron
writes the same file: every number equals the hand count of `conftest.py`."""
import csv
import io
import re

import openpyxl
import pytest

OCTOBER = "/dashboard?first=2026-10-01&last=2026-10-31"


def table(page: str, table_id: str) -> list[list[str]]:
    """A table of the page as text cells, its header row first."""
    body = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>|\s+", " ", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def rows_of(page: str, table_id: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table(page, table_id)[1:]}


@pytest.fixture
def october_page(client, login_as, center, october):
    login_as(center.manager)
    response = client.get(OCTOBER)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_requests_received_accepted_closed_and_turnaround_per_kind(october_page):
    per_kind = rows_of(october_page, "per-kind")
    # received, accepted, closed; the center's median and 90th percentile; all days' median; the enterprise's.
    assert per_kind["Fast pre-examination and authorization"] == ["1", "2", "2", "6", "12", "6", "0"]
    assert per_kind["Consultation"] == ["1", "1", "1", "3", "3", "7", "4"]
    assert per_kind["Patent filing"] == ["1", "1", "0", "–", "–", "–", "–"]
    assert per_kind["Fast retrieval"] == ["0", "0", "0", "–", "–", "–", "–"]


def test_deadline_compliance_per_post_counts_the_stints_finished_in_the_month(october_page):
    per_post = rows_of(october_page, "compliance-per-post")
    assert per_post == {"intake post": ["3", "3", "100.0%"], "pre_examination post": ["5", "4", "80.0%"],
                        "consultation post": ["1", "1", "100.0%"]}
    assert table(october_page, "compliance-per-month")[1:] == [
        ["consultation post", "2026-10", "1", "1", "100.0%"], ["intake post", "2026-10", "3", "3", "100.0%"],
        ["pre_examination post", "2026-10", "5", "4", "80.0%"]]


def test_fast_pre_examination_figures_and_the_enterprise_over_the_threshold(october_page, center):
    assert rows_of(october_page, "pre-examination") == {
        "Requests received": ["1"], "Passed": ["1"], "Refused": ["1"], "Pass rate": ["50.0%"],
        "Median working days to a decision": ["5"], "Granted after passing": ["1"],
        "Median days from forwarding to grant": ["11"]}
    enterprises = rows_of(october_page, "pre-examination-per-enterprise")
    first, second = center.enterprise.organisation.name_en, center.other_enterprise.organisation.name_en
    assert enterprises[first] == ["1", "1", "0", "100.0%", ""]
    assert enterprises[second] == ["1", "0", "1", "0.0%", "Refused more than 50%"]


def test_weeks_now_and_units(october_page, center):
    weeks = rows_of(october_page, "weekly")
    # October's weeks, by their Mondays; the first counts from 1 October (the case received on 30 September is
    # September's), so that the weeks add up to the month's figures.
    assert weeks == {"2026-09-28": ["0", "0"], "2026-10-05": ["1", "0"], "2026-10-12": ["1", "1"],
                     "2026-10-19": ["1", "1"], "2026-10-26": ["0", "1"]}
    assert rows_of(october_page, "open-by-stage") == {"Patent filing · Drafting": ["1"],
                                                      "Consultation · Answering": ["1"]}
    assert rows_of(october_page, "overdue-per-post") == {"filing post": ["1"]}
    assert rows_of(october_page, "overdue-per-assignee") == {center.staff["filing"].display_name: ["1"]}
    unit = rows_of(october_page, "units")[center.unit.name_en or center.unit.name_zh]
    assert unit[:2] == ["1", "1"] and unit[3:] == ["24", "No report for more than 10 working days"]


def test_satisfaction_per_kind_post_and_month_in_the_center_s_months(october_page, client):
    assert rows_of(october_page, "satisfaction-per-kind") == {"Fast pre-examination and authorization": ["1", "2.00"],
                                                              "Consultation": ["1", "4.00"]}
    assert table(october_page, "satisfaction-per-month")[1:] == [
        ["Fast pre-examination and authorization", "pre_examination post", "2026-10", "1", "2.00"],
        ["Consultation", "consultation post", "2026-10", "1", "4.00"]]
    page = client.get("/dashboard?first=2026-10-01&last=2026-11-26").get_data(as_text=True)
    assert rows_of(page, "satisfaction-per-kind") == {"Fast pre-examination and authorization": ["2", "3.50"],
                                                      "Consultation": ["1", "4.00"]}
    assert table(page, "satisfaction-per-month")[2] == [
        "Fast pre-examination and authorization", "pre_examination post", "2026-11", "1", "5.00"]


def test_satisfaction_narrowed_to_a_post_and_a_kind(client, login_as, center, october):
    login_as(center.staff["consultation"])
    page = client.get(OCTOBER).get_data(as_text=True)
    assert table(page, "satisfaction-per-month")[1:] == [["Consultation", "consultation post", "2026-10", "1", "4.00"]]
    client.submit("/logout", page="/")
    login_as(center.manager)
    page = client.get(OCTOBER + "&type=fast_pre_examination").get_data(as_text=True)
    assert rows_of(page, "satisfaction-per-kind") == {"Fast pre-examination and authorization": ["1", "2.00"]}
    page = client.get("/dashboard?first=2026-09-01&last=2026-09-30").get_data(as_text=True)
    assert rows_of(page, "satisfaction-per-kind") == {"No answers in the period.": []}


def test_the_threshold_and_the_quiet_days_are_the_managers_to_set(client, login_as, center, october):
    login_as(center.manager)
    page = client.get(OCTOBER + "&failure=100&quiet=30").get_data(as_text=True)
    assert "Refused more than" not in "".join(sum(table(page, "pre-examination-per-enterprise"), []))
    assert rows_of(page, "units")[center.unit.name_en or center.unit.name_zh][-1] == ""


EXPECTED_KINDS = [
    ["Patent filing", 1, 1, 0, 0, 1, None, None, None],
    ["Fast pre-examination and authorization", 1, 2, 2, 1, 0, 6, 6, 0],
    ["Fast retrieval", 0, 0, 0, 0, 0, None, None, None],
    ["Consultation", 1, 1, 1, 0, 0, 3, 7, 4],
    ["Foreign-related assistance", 0, 0, 0, 0, 0, None, None, None],
    ["Infringement complaint", 0, 0, 0, 0, 0, None, None, None],
]
EXPECTED_PRE_EXAMINATION = [["Requests received", 1], ["Passed", 1], ["Refused", 1], ["Pass rate", 0.5],
                            ["Median working days to a decision", 5], ["Granted after passing", 1],
                            ["Median days from forwarding to grant", 11]]
EXPECTED_POSTS = [["consultation post", 1, 1, 1.0, 0], ["intake post", 3, 3, 1.0, 0],
                  ["pre_examination post", 5, 4, 0.8, 0], ["filing post", 0, 0, None, 1]]
EXPECTED_SATISFACTION = [["Fast pre-examination and authorization", "pre_examination post", "2026-10", 1, 2.0],
                         ["Consultation", "consultation post", "2026-10", 1, 4.0]]  # in the workflow's order


def sheets(body: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return {sheet.title: [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)] for sheet in book}


def test_octobers_report_as_xlsx_holds_the_hand_counts(client, login_as, center, october):
    login_as(center.manager)
    response = client.get("/dashboard/report.xlsx?month=2026-10")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=report-2026-10-01-2026-10-31.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["1 Requests by kind", "2 Fast pre-examination",
                               "3 Per enterprise, 12 months", "4 Posts", "5 Demonstration units",
                               "6 Satisfaction"]
    assert all(sheet.freeze_panes == "A3" and sheet["A2"].font.bold for sheet in book)
    found = sheets(response.data)
    assert found["1 Requests by kind"][1:] == EXPECTED_KINDS
    assert found["2 Fast pre-examination"][1:] == EXPECTED_PRE_EXAMINATION
    enterprises = found["3 Per enterprise, 12 months"][1:]
    assert enterprises == [
        [center.enterprise.organisation.name_en, center.enterprise.organisation.credit_code, 1, 1, 0, 1],
        [center.other_enterprise.organisation.name_en, center.other_enterprise.organisation.credit_code, 1, 0, 1, 0]]
    assert book["3 Per enterprise, 12 months"]["A4"].fill.fgColor.rgb.endswith("FDE2E1")
    assert found["4 Posts"][1:] == EXPECTED_POSTS
    unit = next(row for row in found["5 Demonstration units"] if row[0] == center.unit.name_zh)
    assert unit[:3] == [center.unit.name_zh, 1, 1] and unit[3].date().isoformat() == "2026-10-23"
    assert unit[4:] == [24, "Yes"]
    assert found["6 Satisfaction"][1:] == EXPECTED_SATISFACTION
    assert book["6 Satisfaction"]["E3"].number_format == "0.00"  # a mean score, not a share


def test_octobers_report_as_csv_holds_the_same_rows(client, login_as, center, october):
    login_as(center.manager)
    response = client.get("/dashboard/report.csv?month=2026-10")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    sections = {}
    for number, row in enumerate(rows):
        if row and number and not rows[number - 1]:
            sections[row[0]] = rows[number + 2:rows.index([], number) if [] in rows[number:] else None]
    as_text = [[("" if value is None else str(value)) for value in row] for row in EXPECTED_KINDS]
    assert sections["Requests by kind"] == as_text
    assert sections["Fast pre-examination"] == [[label, str(value)] for label, value in EXPECTED_PRE_EXAMINATION]
    assert sections["Posts"] == [[("" if v is None else str(v)) for v in row] for row in EXPECTED_POSTS]
    assert sections["Satisfaction"] == [[str(v) for v in row] for row in EXPECTED_SATISFACTION]


def test_cron_writes_the_same_report_in_chinese(runner, center, october, tmp_path):
    out = tmp_path / "2026-10.xlsx"
    result = runner.invoke(args=["reports", "monthly", "--month", "2026-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    found = sheets(out.read_bytes())
    kinds = found["1 按类型统计的请求"]
    assert kinds[0][0] == "请求类型" and kinds[2][0] == "快速预审与授权" and kinds[2][1:] == EXPECTED_KINDS[1][1:]
    assert list(found.values())[3][1:] == [[f"{code}岗", *row[1:]] for code, row in zip(
        ("consultation", "intake", "pre_examination", "filing"), EXPECTED_POSTS, strict=True)]
    assert list(found)[5] == "6 满意度" and found["6 满意度"][1:] == [
        ["快速预审与授权", "pre_examination岗", "2026-10", 1, 2.0], ["咨询", "consultation岗", "2026-10", 1, 4.0]]


@pytest.mark.parametrize("month, message", [("2026-13", "is not a month"), ("October", "is not a month")])
def test_cron_says_what_is_wrong_with_the_month(runner, center, month, message, tmp_path):
    result = runner.invoke(args=["reports", "monthly", "--month", month, "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_cron_refuses_a_file_it_cannot_write_as_a_report(runner, center, tmp_path):
    result = runner.invoke(args=["reports", "monthly", "--month", "2026-10", "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and "must end in .xlsx or .csv" in result.output
