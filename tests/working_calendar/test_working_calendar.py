"""The working calendar kept by the center: the package knows the holidays up to 2026; a manager enters 2027's,
and the deadlines counted into 2027 move with them."""
import io
import re
from datetime import date
from unittest import mock

import pytest
from sqlalchemy import select

from ipcenter.audit.models import AuditEntry
from ipcenter.calendar import add_working_days, working_days_between
from ipcenter.cases import agenda, operations
from ipcenter.cases.models import Case, CaseEvent, EventKind
from ipcenter.extensions import db
from ipcenter.working_calendar.models import CalendarDay, CalendarYear
from tests.cases.conftest import make_case

# A 2027 schedule as the State Council might publish it (the real one is not out yet).
SCHEDULE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知
2027-01-01,2027-01-01,元旦,New Year's Day
2027-02-06,2027-02-13,春节,Spring Festival
2027-02-14,workday,春节调休,Spring Festival
2027-02-20，上班，春节调休
"""
MONDAY_BEFORE_NEW_YEAR = date(2026, 12, 28)
MONDAY_BEFORE_SPRING_FESTIVAL = date(2027, 2, 1)


def made_on(day, center, case_type="fast_retrieval", stage="searching"):  # searching: 5 working days
    with mock.patch.object(operations, "center_today", return_value=day):
        return make_case(center, case_type, stage)


def timeline(case) -> list[CaseEvent]:
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def test_a_deadline_counted_across_new_year_takes_2027s_new_years_day_once_it_is_entered(center, client, login_as):
    case = made_on(MONDAY_BEFORE_NEW_YEAR, center)
    assert case.due_date == date(2027, 1, 4)  # 29, 30, 31 December, Friday 1 January (unknown), Monday 4
    assert working_days_between(MONDAY_BEFORE_NEW_YEAR, date(2027, 1, 4)) == 5

    login_as(center.manager)
    response = client.submit("/calendar/2027/schedule", {"text": "2027-01-01,2027-01-01,元旦,New Year's Day"},
                             follow_redirects=True)
    assert "the due date of 1 open case moved" in response.get_data(as_text=True)
    response = client.submit("/calendar/2027/schedule", {"text": "2027-01-01,2027-01-01,元旦,New Year's Day\n"
                                                                  "2027-12-31,2027-12-31,元旦前夕"},
                             follow_redirects=True)  # a day no deadline is counted across
    assert "The calendar of 2027 is saved; no open case’s due date moved." in response.get_data(as_text=True)

    assert db.session.get(Case, case.id).due_date == date(2027, 1, 5)
    assert add_working_days(MONDAY_BEFORE_NEW_YEAR, 5) == date(2027, 1, 5)
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # and 2026's own days stay the package's
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_a_manager_enters_the_spring_festival_and_the_case_due_across_it_moves(center, client, login_as):
    across = made_on(MONDAY_BEFORE_SPRING_FESTIVAL, center)
    before = made_on(date(2026, 12, 1), center)  # due in 2026: not counted across 2027
    assert across.due_date == date(2027, 2, 8)  # Monday to Friday: 2, 3, 4, 5, 8 February

    login_as(center.manager)
    response = client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027}, follow_redirects=True)
    assert "the due date of 1 open case moved" in response.get_data(as_text=True)

    across, before = db.session.get(Case, across.id), db.session.get(Case, before.id)
    assert across.due_date == date(2027, 2, 14)  # 2, 3, 4, 5 February, then the make-up Sunday
    assert before.due_date == date(2026, 12, 8)
    moved = [event for event in timeline(across) if event.kind == EventKind.DEADLINE_MOVED]
    assert [(event.detail, event.actor_id, event.public) for event in moved] == [
        ("2027-02-08 → 2027-02-14", center.manager.id, True)]  # the enterprise reads the due date too: and why
    assert not any(event.kind == EventKind.DEADLINE_MOVED for event in timeline(before))

    for reader in (center.staff["retrieval"], center.enterprise):
        login_as(reader)
        page = client.get(f"/cases/{across.reference}").get_data(as_text=True)
        assert "Due date moved: the working calendar changed" in page and "2027-02-08 → 2027-02-14" in page

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar.changed")).one()
    assert (entry.actor_id, entry.object_kind, entry.object_id, entry.before) == (center.manager.id, "calendar",
                                                                                  "2027", None)
    assert entry.after["days"]["2027-02-14"] == ["make_up_workday", "春节调休", "Spring Festival"]
    assert entry.after["days"]["2027-02-20"] == ["make_up_workday", "春节调休", None]
    assert entry.after["due_dates_moved"] == {across.reference: ["2027-02-08", "2027-02-14"]}


def test_the_enterprise_reads_that_its_own_date_to_answer_moved(center, client, login_as):
    case = made_on(MONDAY_BEFORE_SPRING_FESTIVAL, center, "fast_pre_examination", "corrections_requested")
    old = case.due_date
    login_as(center.manager)
    client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027})
    case = db.session.get(Case, case.id)
    assert case.due_date > old
    client.submit("/logout", page="/")
    login_as(center.enterprise)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"{old.isoformat()} → {case.due_date.isoformat()}" in page


def test_the_schedule_text_is_refused_with_the_line_and_nothing_is_saved(center, client, login_as):
    case = made_on(MONDAY_BEFORE_SPRING_FESTIVAL, center)
    login_as(center.manager)
    wrong = SCHEDULE_2027 + "2027-05-01,2027-05-05,劳动节\n2027-05-03,workday,劳动节调休\n"
    response = client.submit("/calendar/2027/schedule", {"text": wrong})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 7: 2027-05-03 is a weekday: a make-up working day is a Saturday or a Sunday." in page
    assert db.session.scalar(select(CalendarYear)) is None and db.session.scalar(select(CalendarDay)) is None
    assert db.session.get(Case, case.id).due_date == date(2027, 2, 8)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.changed")) is None


@pytest.mark.parametrize("line, message", [
    ("2027-02-30,2027-03-01,春节", "Line 2: 2027-02-30 is not a day of the calendar (the month is shorter)."),
    ("2027-02-2O,2027-03-01,春节", "Line 2: “2027-02-2O” is not a date"),
    ("2027-13-01,2027-13-02,春节", "Line 2: “2027-13-01” is not a date"),
    ("2026-12-31,2026-12-31,元旦", "Line 2: 2026-12-31 is not in 2027."),
    ("2027-02-13,workday,春节调休", "Line 2: 2027-02-13 is already listed on line 1."),
    ("2027-02-07,2027-02-01,春节", "Line 2: The holidays end (2027-02-01) before they start (2027-02-07)."),
    ("2027-02-06", "Line 2: Write START,END,name"),
])
def test_a_file_imported_on_the_page_is_checked_line_by_line(center, client, login_as, line, message):
    login_as(center.manager)
    text = f"2027-02-06,2027-02-13,春节\n{line}\n"
    response = client.submit("/calendar/2027/schedule", {"file": (io.BytesIO(text.encode()), "2027.csv")})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(CalendarDay)) is None


def test_every_wrong_line_is_told_at_once_so_that_one_pass_mends_them(center, client, login_as, runner, tmp_path):
    login_as(center.manager)
    text = ("2027-02-06,2027-02-13,春节\n2027-02-30,2027-03-01,春节\n2027-05-03,workday,调休\n"
            "2027-02-14,workday,春节调休\n")
    page = client.submit("/calendar/2027/schedule", {"text": text}).get_data(as_text=True)
    assert "Line 2: 2027-02-30 is not a day of the calendar" in page
    assert "Line 3: 2027-05-03 is a weekday" in page and "Line 4" not in page
    wrong = tmp_path / "2027.txt"
    wrong.write_text("".join(f"2027-02-{day:02d},workday,调休\n" for day in range(1, 19)), encoding="utf-8")
    output = runner.invoke(args=["calendar", "import", str(wrong)]).output  # fourteen weekdays as make-up days
    assert f"{wrong}:1: 2027-02-01 is a weekday" in output and f"{wrong}:12: 2027-02-12 is a weekday" in output
    assert f"{wrong}:15:" not in output and "… and 4 more wrong lines." in output  # after the first ten
    wrong.write_text("".join(f"2027-03-{day:02d},workday,调休\n" for day in range(1, 16)), encoding="utf-8")
    assert "… and 1 more wrong line." in runner.invoke(args=["calendar", "import", str(wrong)]).output
    assert db.session.scalar(select(CalendarDay)) is None


def test_a_file_imported_on_the_page_is_saved_with_its_name(center, client, login_as):
    login_as(center.manager)
    upload = (io.BytesIO(("\ufeff" + SCHEDULE_2027).encode()), "通知2027.csv")
    response = client.submit("/calendar/2027/schedule", {"file": upload}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "通知2027.csv" in page and 'data-source="center"' in page
    assert 'data-day="2027-02-14" data-working="yes"' in page and 'data-day="2027-02-08" data-working="no"' in page
    schedule = db.session.get(CalendarYear, 2027)
    assert schedule.file_name == "通知2027.csv" and len(schedule.days) == 11  # 1 + 8 holidays, 2 make-up days


def test_a_file_saved_on_a_chinese_windows_is_read_and_a_picture_is_refused_beside_the_field(center, client,
                                                                                             login_as):
    login_as(center.manager)
    picture = (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), "通知.png")
    response = client.submit("/calendar/2027/schedule", {"file": picture})
    assert response.status_code == 400
    assert ('The file is not text: save the schedule as plain text or CSV and try again.'
            in response.get_data(as_text=True))
    assert db.session.scalar(select(CalendarDay)) is None

    unicode_text = (io.BytesIO(SCHEDULE_2027.encode("utf-16")), "通知2027.txt")  # Notepad's "Unicode"
    assert client.submit("/calendar/2027/schedule", {"file": unicode_text}).status_code == 302
    upload = (io.BytesIO(SCHEDULE_2027.encode("gbk")), "通知2027.csv")  # Excel's "CSV" on a Chinese Windows
    response = client.submit("/calendar/2027/schedule", {"file": upload}, follow_redirects=True)
    assert response.status_code == 200
    assert [day.name_zh for day in db.session.get(CalendarYear, 2027).days][-2:] == ["春节调休", "春节调休"]


def test_flask_calendar_import_saves_a_good_file_and_refuses_a_bad_one_whole(center, runner, tmp_path):
    case = made_on(MONDAY_BEFORE_SPRING_FESTIVAL, center)
    bad = tmp_path / "2027-bad.txt"
    bad.write_text(SCHEDULE_2027.replace("2027-02-20", "2027-02-19"), encoding="utf-8")
    result = runner.invoke(args=["calendar", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:5: 2027-02-19 is a weekday" in result.output
    assert db.session.scalar(select(CalendarDay)) is None

    good = tmp_path / "2027.txt"
    good.write_text(SCHEDULE_2027, encoding="gb18030")
    result = runner.invoke(args=["calendar", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "2027: 9 holidays and 2 make-up working days saved; due dates moved on 1 open cases." in result.output
    assert f"{case.reference}: 2027-02-08 -> 2027-02-14" in result.output
    assert db.session.get(Case, case.id).due_date == date(2027, 2, 14)
    assert runner.invoke(args=["calendar", "export", "2027"]).output == (
        "2027-01-01,2027-01-01,元旦,New Year's Day\n2027-02-06,2027-02-13,春节,Spring Festival\n"
        "2027-02-14,workday,春节调休,Spring Festival\n2027-02-20,workday,春节调休\n")
    assert "nothing changed" in runner.invoke(args=["calendar", "import", str(good)]).output


def test_a_year_nobody_entered_is_entered_whole_before_a_single_day_is_added(center, client, login_as):
    login_as(center.manager)
    page = client.get("/calendar/2027").get_data(as_text=True)
    assert 'id="day-form"' not in page and 'id="day-form-later"' in page
    response = client.submit("/calendar/2027/days", {"day": "2027-02-06", "kind": "1", "name_zh": "春节"},
                             page="/calendar/2026")  # a page left open before: told beside the date
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="day-form"' in page
    assert "Enter the whole schedule of 2027 first" in page
    assert db.session.get(CalendarYear, 2027) is None  # still provisional: one day is not the year's schedule

    client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027})
    page = client.get("/calendar/2027").get_data(as_text=True)
    assert 'id="day-form"' in page and re.search(r'<input[^>]* name="day"[^>]* type="date"', page)  # a picker
    assert client.submit("/calendar/2027/days", {"day": "2027-05-03", "kind": "1", "name_zh": "劳动节"}
                         ).status_code == 302


def test_a_single_day_form_is_checked_beside_its_fields(center, client, login_as):
    login_as(center.manager)
    client.submit("/calendar/2027/schedule", {"text": "2027-01-01,2027-01-01,元旦"})
    response = client.submit("/calendar/2027/days", {"day": "2027-02-10", "kind": "2", "name_zh": "调休"})
    assert response.status_code == 400
    assert "2027-02-10 is a weekday: a make-up working day is a Saturday or a Sunday." in response.get_data(
        as_text=True)
    response = client.submit("/calendar/2027/days", {"day": "2028-01-01", "kind": "1", "name_zh": "元旦"})
    assert response.status_code == 400 and "2028-01-01 is not in 2027." in response.get_data(as_text=True)
    response = client.submit("/calendar/2027/days", {"day": "not a date", "kind": "1", "name_zh": "元旦"})
    assert response.status_code == 400 and "“not a date” is not a date: write it as YYYY-MM-DD" in response.get_data(
        as_text=True)
    response = client.submit("/calendar/2027/days", {"day": "2027-02-30", "kind": "1", "name_zh": "春节"})
    assert response.status_code == 400
    assert "2027-02-30 is not a day of the calendar (the month is shorter)." in response.get_data(as_text=True)
    response = client.submit("/calendar/2027/days", {"day": "", "kind": "1", "name_zh": "春节"})
    assert response.status_code == 400 and "Give the date as YYYY-MM-DD." in response.get_data(as_text=True)
    response = client.submit("/calendar/2027/days", {"day": "２０２７－０２－０６", "kind": "1", "name_zh": "春节"})
    assert response.status_code == 302  # typed by a Chinese input method: the same day
    assert [day.day for day in db.session.scalars(select(CalendarDay))] == [date(2027, 1, 1), date(2027, 2, 6)]


def test_a_day_added_to_a_year_the_package_knows_keeps_the_official_holidays(center, client, login_as):
    login_as(center.manager)
    response = client.submit("/calendar/2026/days", {"day": "2026-10-14", "kind": "1", "name_zh": "地方假日"})
    assert response.status_code == 302
    # 1-7 October off, Saturday the 10th worked (the package's National Day), and now the 14th off.
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 16)) == 7
    kept = {row.day: row.name_zh for row in db.session.scalars(select(CalendarDay))}
    assert kept[date(2026, 10, 1)] == "国庆节" and kept[date(2026, 10, 14)] == "地方假日" and len(kept) == 40
    assert client.submit("/calendar/2026/days/2026-10-14/remove").status_code == 302
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 16)) == 8  # as the package counts


def test_a_day_or_a_holidays_run_removed_counts_the_deadlines_again(center, client, login_as):
    case = made_on(MONDAY_BEFORE_SPRING_FESTIVAL, center)
    login_as(center.manager)
    client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027})
    assert client.submit("/calendar/2027/days/2027-02-14/remove").status_code == 302
    assert db.session.get(Case, case.id).due_date == date(2027, 2, 15)  # 2-5 February, then Monday 15
    assert db.session.get(CalendarYear, 2027) is not None and db.session.get(CalendarDay, date(2027, 2, 14)) is None
    assert client.submit("/calendar/2027/days/2027-02-14/remove").status_code == 302  # sent twice: nothing more
    client.submit("/calendar/2027/days/2027-02-06/2027-02-13/remove")
    assert db.session.get(Case, case.id).due_date == date(2027, 2, 8)
    assert [event.detail for event in timeline(case) if event.kind == EventKind.DEADLINE_MOVED] == [
        "2027-02-08 → 2027-02-14", "2027-02-14 → 2027-02-15", "2027-02-15 → 2027-02-08"]


def test_staff_read_the_calendar_but_may_not_change_it_and_enterprises_may_not_open_it(center, client, login_as):
    login_as(center.staff["retrieval"])
    page = client.get("/calendar/2026").get_data(as_text=True)
    assert 'data-source="package"' in page and 'data-day="2026-10-10" data-working="yes"' in page
    assert "国庆节" in page and 'id="day-form"' not in page and 'id="nav-calendar"' in page
    assert client.get("/calendar/").headers["Location"].endswith("/calendar/2026")
    assert client.submit("/calendar/2027/days", {"day": "2027-01-01", "kind": "1", "name_zh": "元旦"},
                         page="/calendar/2027").status_code == 403
    assert client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027}).status_code == 403
    assert client.submit("/calendar/2027/days/2027-01-01/remove").status_code == 403
    assert db.session.scalar(select(CalendarDay)) is None
    client.submit("/logout", page="/")
    login_as(center.enterprise)
    assert client.get("/calendar/2027").status_code == 403
    assert 'id="nav-calendar"' not in client.get("/").get_data(as_text=True)


def test_a_due_date_in_a_year_nobody_entered_is_provisional_until_it_is_entered(center, client, login_as):
    case = made_on(MONDAY_BEFORE_SPRING_FESTIVAL, center)
    login_as(center.enterprise)
    marker = "Provisional: the official holidays of 2027 are not entered yet."
    assert marker in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    client.submit("/logout", page="/")
    login_as(center.manager)
    assert 'data-source="provisional"' in client.get("/calendar/2027").get_data(as_text=True)
    assert "1 open case has a provisional due date" in client.get("/").get_data(as_text=True)
    client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027})
    assert marker not in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "provisional due date" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("today, warned", [(date(2026, 10, 31), False), (date(2026, 11, 1), True),
                                           (date(2026, 12, 31), True)])
def test_from_the_first_of_november_the_managers_dashboard_asks_for_next_years_holidays(center, client, login_as,
                                                                                         today, warned):
    login_as(center.manager)
    with mock.patch.object(agenda, "center_today", return_value=today):
        page = client.get("/").get_data(as_text=True)
        assert ('id="calendar-missing-2027"' in page) == warned
        client.submit("/calendar/2027/schedule", {"text": "2027-01-01,2027-01-01,元旦"})
        assert 'id="calendar-missing-2027"' not in client.get("/").get_data(as_text=True)


def test_staff_are_not_asked_to_enter_the_holidays(center, client, login_as):
    login_as(center.staff["retrieval"])
    with mock.patch.object(agenda, "center_today", return_value=date(2026, 11, 2)):
        assert 'id="calendar-missing-2027"' not in client.get("/").get_data(as_text=True)


def test_the_case_page_reads_the_calendar_once_however_many_dates_it_shows(center, client, login_as):
    from tests.page_queries import queries_of

    case = made_on(MONDAY_BEFORE_SPRING_FESTIVAL, center)
    login_as(center.manager)
    client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027})
    few = queries_of(client, f"/cases/{case.reference}")
    client.submit("/calendar/2027/schedule", {"text": SCHEDULE_2027 + "2027-10-01,2027-10-07,国庆节\n"})
    with mock.patch.object(operations, "center_today", return_value=MONDAY_BEFORE_SPRING_FESTIVAL):
        operations._enter_stage(case, "searching", MONDAY_BEFORE_SPRING_FESTIVAL)
        db.session.commit()
    assert queries_of(client, f"/cases/{case.reference}") == few


def test_an_empty_schedule_is_refused_not_saved_as_a_year_without_holidays(center, client, login_as):
    login_as(center.manager)
    response = client.submit("/calendar/2028/schedule", {"text": "  \n# nothing yet\n"})
    assert response.status_code == 400 and "The schedule lists no day." in response.get_data(as_text=True)
    assert db.session.scalar(select(CalendarYear)) is None
