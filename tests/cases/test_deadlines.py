"""Deadlines in working days on the mainland-China calendar, paused while awaiting the enterprise."""
from datetime import date
from unittest import mock

import pytest

from ipcenter.calendar import add_working_days, is_working_day, working_days_between
from ipcenter.cases import operations
from ipcenter.cases.models import Case
from ipcenter.cases.operations import advance_case
from ipcenter.extensions import db
from tests.cases.conftest import make_case

SEPT_30 = date(2026, 9, 30)  # Wednesday before the National Day holiday (1-7 October 2026)
MAKE_UP_SATURDAY = date(2026, 10, 10)


def test_national_day_holiday_and_make_up_saturday():
    assert not is_working_day(date(2026, 10, 1)) and not is_working_day(date(2026, 10, 7))
    assert is_working_day(MAKE_UP_SATURDAY)
    assert not is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert add_working_days(SEPT_30, 1) == date(2026, 10, 8)
    assert add_working_days(SEPT_30, 3) == MAKE_UP_SATURDAY
    assert add_working_days(SEPT_30, 4) == date(2026, 10, 12)
    assert working_days_between(SEPT_30, date(2026, 10, 12)) == 4
    assert working_days_between(date(2026, 10, 12), SEPT_30) == -4


def test_year_without_official_calendar_falls_back_to_weekdays_and_says_so_once(caplog):
    from ipcenter import calendar

    calendar._packaged_working_day.cache_clear()
    calendar._warn_missing_year.cache_clear()
    assert add_working_days(date(2027, 3, 5), 1) == date(2027, 3, 8)  # Friday -> Monday
    assert add_working_days(date(2027, 6, 1), 20) == date(2027, 6, 29)
    assert caplog.text.count("no official calendar for 2027") == 1


def at(day):
    return mock.patch.object(operations, "center_today", return_value=day)


def test_case_deadline_crosses_the_holiday(center):
    with at(SEPT_30):
        case = make_case(center, "fast_retrieval", "searching")  # 5 working days
    assert case.due_date == date(2026, 10, 13)


def test_pause_keeps_the_working_days_left_and_resumes_after_the_holiday(center):
    with at(date(2026, 9, 28)):
        case = make_case(center, "fast_retrieval", "searching")  # due 5 working days after Mon 28 Sept
    assert case.due_date == MAKE_UP_SATURDAY
    with at(SEPT_30):
        advance_case(case, "request_materials", center.staff["retrieval"], comment="请补充参考图片")
    assert case.stage == "awaiting_materials" and case.paused_days_left == 3
    assert case.due_date == date(2026, 10, 20)  # the enterprise's: 10 working days to send the materials
    with at(date(2026, 10, 9)):  # materials arrive after the holiday: 3 working days from Fri 9 Oct
        advance_case(case, "provide_materials", center.enterprise, comment="已补充")
    assert case.stage == "searching" and case.paused_days_left is None
    assert case.due_date == date(2026, 10, 13)  # Sat 10 (make-up), Mon 12, Tue 13


def test_without_a_pause_the_same_case_would_be_due_earlier(center):
    with at(date(2026, 9, 28)):
        case = make_case(center, "fast_retrieval", "searching")
    with at(date(2026, 10, 12)):
        assert db.session.get(Case, case.id).is_overdue


def test_fast_channel_deadline_depends_on_the_patent_kind(center):
    with at(SEPT_30):
        design = make_case(center, "fast_pre_examination", "forwarded", patent_kind="design")
        invention = make_case(center, "fast_pre_examination", "forwarded", patent_kind="invention")
    assert design.due_date == add_working_days(SEPT_30, 10)
    assert invention.due_date == add_working_days(SEPT_30, 66)
    assert design.due_date < invention.due_date


def test_external_deadline_caps_the_center_deadline(center):
    with at(SEPT_30):
        case = make_case(center, "foreign_assistance", "in_progress", external_deadline=date(2026, 10, 9))
    assert case.due_date == date(2026, 10, 9)


@pytest.mark.parametrize("stage, shown", [("under_examination", "66 working days left"), ("closed", "Closed"),
                                          ("withdrawn", "Closed"), ("awaiting_materials", "Answer due by")])
def test_case_page_shows_the_deadline_state(client, login_as, center, stage, shown):
    case = make_case(center, "patent_filing", stage)
    login_as(center.enterprise)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert shown in page.split('id="case-due"')[1][:600]


def test_overdue_cases_stand_out_in_lists(client, login_as, center):
    with at(date(2026, 9, 1)):
        late = make_case(center, "consultation")
    on_time = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    page = client.get("/workspace/?tab=all").get_data(as_text=True)
    late_row = page.split(f'data-reference="{late.reference}"')[0].rsplit("<tr", 1)[1]
    on_time_row = page.split(f'data-reference="{on_time.reference}"')[0].rsplit("<tr", 1)[1]
    assert "table-danger" in late_row and "table-danger" not in on_time_row
    assert late.reference in client.get("/workspace/?tab=overdue").get_data(as_text=True)
    assert on_time.reference not in client.get("/workspace/?tab=overdue").get_data(as_text=True)


def test_a_case_paused_while_overdue_is_still_overdue_when_it_resumes(center):
    with at(date(2026, 9, 1)):
        case = make_case(center, "consultation")  # due 3 working days later: 4 September
    with at(date(2026, 9, 9)):
        advance_case(case, "request_materials", center.staff["consultation"], comment="请补充")
        assert case.paused_days_left == -3
    with at(date(2026, 9, 14)):
        advance_case(case, "provide_materials", center.enterprise, comment="补充")
    assert case.due_date == date(2026, 9, 9)


# What the enterprise reads while the center waits on it, and once the center has finished -----------

def case_page(client, login_as, user, case) -> str:
    client.submit("/logout", page="/")
    login_as(user)
    return client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_awaiting_materials_the_enterprise_reads_its_own_deadline_and_the_request(client, login_as, center):
    with at(SEPT_30):
        case = make_case(center, "fast_retrieval", "searching")  # the center's deadline: 13 October
        advance_case(case, "request_materials", center.staff["retrieval"], comment="请补充竞品的正面照片")
    db.session.commit()
    page = case_page(client, login_as, center.enterprise, case)
    due = page.split('id="case-due"')[1][:400]
    assert "Answer due by 2026-10-20" in due and "Clock paused" not in page and "2026-10-13" not in page
    assert "请补充竞品的正面照片" in page.split('id="enterprise-request-text"')[1][:100]
    assert 'id="center-clock"' not in page
    staff_page = case_page(client, login_as, center.staff["retrieval"], case)
    assert "5 working days left once the enterprise answers" in staff_page.split('id="center-clock"')[1][:200]


def test_a_correction_request_is_shown_plainly_with_its_deadline(client, login_as, center):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    advance_case(case, "request_corrections", center.staff["pre_examination"], comment="请去掉视图中的阴影")
    db.session.commit()
    page = case_page(client, login_as, center.enterprise, case)
    request = page.split('id="enterprise-request"')[1].split("</div>")[0]
    assert "Corrections requested from you" in request and "请去掉视图中的阴影" in request
    assert "Answer due by" in request


@pytest.mark.parametrize("type_code, stage", [("fast_retrieval", "report_delivered"), ("consultation", "answered"),
                                              ("fast_pre_examination", "granted"), ("consultation", "closed")])
def test_a_case_the_center_has_finished_is_never_overdue(client, runner, login_as, center, type_code, stage):
    with at(date(2026, 9, 1)):
        case = make_case(center, type_code, stage)
    assert not db.session.get(Case, case.id).is_overdue
    for user in (center.enterprise, center.staff[case.post.code] if case.post else center.manager):
        client.submit("/logout", page="/")
        login_as(user)
        for url in (f"/cases/{case.reference}", "/cases/?state=all", "/workspace/?tab=all"):
            page = client.get(url).get_data(as_text=True)
            assert "Overdue by" not in page and 'data-due="overdue"' not in page and "table-danger" not in page
    assert "overdue: 0" in runner.invoke(args=["cases", "remind", "--date", "2026-11-10"]).output
