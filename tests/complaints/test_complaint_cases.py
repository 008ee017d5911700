"""A Guzhen maker complains of a copy of its lamp design: the form asks what a complaint needs, the whole case
has the national deadline, and at a trade fair the respondent's clock runs in hours, weekends included."""
import io
import re
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale

from ipcenter.calendar import CENTER_ZONE, add_working_days, center_today
from ipcenter.cases.models import Case
from ipcenter.cases.operations import CaseRefused, advance_case
from ipcenter.database import utcnow
from ipcenter.extensions import db
from ipcenter.working_calendar.models import DayKind
from ipcenter.working_calendar.notice import ListedDay
from ipcenter.working_calendar.operations import replace_schedule
from tests.cases.conftest import center, make_case  # noqa: F401 (the fixture)
from tests.cases.test_submission import PNG, send_request

FAIR = {"title": "六臂水晶吊灯", "description": "灯博会3号馆A-126展出与我司外观设计相同的吊灯。",
        "patent_number": "ZL 2021 3012 3456.8", "patent_kind": "design", "patent_status": "in_force",
        "evaluation_report": "yes", "standing": "owner", "respondent_name": "中山市古镇鑫辉灯饰厂",
        "respondent_credit_code": "", "channel": "fair", "fair_name": "古镇灯博会", "found_at": "3号馆 A-126",
        "remedies": ["stop", "destroy"]}


def error_of(page: str, field: str) -> str:
    """The error under a field of the request form (its label's block)."""
    block = page[page.index(f'<label class="form-label" for="{field}"'):]
    block = block[:block.index('<div class="mb-3')] if '<div class="mb-3' in block else block
    return " ".join(re.findall(r'<div class="invalid-feedback[^"]*">\s*([^<]+?)\s*</div>', block))


def complaint_form(**changes):
    return {**FAIR, "files": [(io.BytesIO(PNG), "展位照片.png")], **changes}


def test_a_fair_complaint_is_received_with_the_national_deadline(client, login_as, center):
    login_as(center.enterprise)
    response = send_request(client, "infringement_complaint", complaint_form(), content_type="multipart/form-data")
    assert response.status_code == 302
    case = db.session.query(Case).one()
    assert (case.stage, case.post.code, case.channel, case.remedies) == ("intake", "rights_protection", "fair",
                                                                         "stop,destroy")
    assert case.patent_number == "ZL202130123456.8" and case.evaluation_report is True
    assert case.external_deadline == add_working_days(center_today(), 10)  # a design: 10 working days
    assert [a.original_name for a in case.events[0].attachments] == ["展位照片.png"]
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Stop making and selling; Destroy the stock and moulds" in page and "Whole case due by" in page


def test_a_utility_model_complaint_has_thirty_working_days(client, login_as, center):
    login_as(center.enterprise)
    send_request(client, "infringement_complaint", complaint_form(patent_kind="utility_model"),
                 content_type="multipart/form-data")
    assert db.session.query(Case).one().external_deadline == add_working_days(center_today(), 30)


@pytest.mark.parametrize("changes, field, message", [
    ({"fair_name": ""}, "fair_name", "Name the trade fair."),
    ({"channel": "online", "fair_name": "", "found_at": ""}, "platform", "Name the online platform."),
    ({"channel": "online", "platform": "淘宝", "item_url": "taobao"}, "item_url", "beginning with http://"),
    ({"standing": "licensee"}, "standing_note", "Say why you may enforce the patent."),
    ({"remedies": ["damages"]}, "damages_amount", "Say how much you ask in damages."),
    ({"remedies": []}, "remedies", "Choose at least one thing you ask."),
    ({"evaluation_report": ""}, "evaluation_report", "Say whether you have a patent evaluation report."),
    ({"patent_number": "ZL202130123456.9"}, "patent_number", "not a valid Chinese patent number"),
    ({"respondent_credit_code": "91442000MA4WK7Q3XX"}, "respondent_credit_code", "credit code"),
    ({"files": []}, "files", "Attach your evidence"),
])
def test_what_a_complaint_lacks_is_said_beside_its_field(client, login_as, center, changes, field, message):
    login_as(center.enterprise)
    response = send_request(client, "infringement_complaint", complaint_form(**changes),
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in error_of(response.get_data(as_text=True), field)
    assert db.session.query(Case).count() == 0


def notified(center, channel: str) -> Case:
    case = make_case(center, "infringement_complaint", "respondent_notice", channel=channel)
    advance_case(case, "notify_respondent", center.staff["rights_protection"])
    db.session.commit()
    return case


def test_at_a_fair_the_respondent_has_24_hours_on_the_clock(client, login_as, center):
    before = utcnow()
    case = notified(center, "fair")
    assert timedelta(hours=24) <= case.due_at - before <= timedelta(hours=24, minutes=1)
    assert case.due_counted_from is None  # no working days: the calendar never moves it
    login_as(center.staff["rights_protection"])
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert re.search(r'id="stepper-hours">\s*<span class="badge bg-warning text-dark" data-hours-left="23">'
                     r"23 hours left</span>", page)
    queue = client.get("/cases/find?type=infringement_complaint").get_data(as_text=True)
    assert 'data-hours-left="23"' in queue


def test_elsewhere_the_respondent_has_five_working_days(center):
    case = notified(center, "online")
    assert case.due_at is None and case.due_date == add_working_days(center_today(), 5)


def test_a_new_calendar_moves_working_days_but_not_the_fairs_hours(center):
    fair, shop = notified(center, "fair"), notified(center, "ordinary")
    due_at, shop_due = fair.due_at, shop.due_date
    year = shop_due.year
    holiday = next(add_working_days(center_today(), n) for n in range(1, 6)
                   if add_working_days(center_today(), n).year == year)
    replace_schedule(year, [ListedDay(holiday, DayKind.HOLIDAY, "临时假日")], None)
    db.session.commit()
    assert fair.due_at == due_at and shop.due_date == add_working_days(shop_due, 1)


def test_measures_are_requested_only_once_the_deadline_has_passed(center):
    case = notified(center, "fair")
    staff = center.staff["rights_protection"]
    with force_locale("en"), pytest.raises(CaseRefused, match="Not before the deadline has passed"):
        advance_case(case, "no_answer", staff, comment="请展会撤展")
    case.due_at = utcnow() - timedelta(minutes=1)
    advance_case(case, "no_answer", staff, comment="已请展会主办方对展品进行遮盖")
    db.session.commit()
    assert (case.stage, case.outcome) == ("closed", "measures_requested")


def test_the_assessment_is_recorded_and_a_mediation_session_keeps_the_clock(client, login_as, center):
    case = make_case(center, "infringement_complaint", "assessment")
    staff = center.staff["rights_protection"]
    advance_case(case, "find_infringing", staff, comment="被控产品与专利外观设计整体视觉效果无实质性差异。")
    assert (case.stage, case.assessment) == ("respondent_notice", "infringing")
    advance_case(case, "notify_respondent", staff)
    advance_case(case, "record_paper_answer", staff, comment="被投诉方书面答复：同意协商。")
    due = case.due_date
    advance_case(case, "record_session", staff, comment="第一次调解：双方就赔偿金额分歧较大。")
    assert (case.stage, case.due_date) == ("mediation", due)
    advance_case(case, "record_agreement", staff, comment="被投诉方停止销售并赔偿2万元，11月30日前付清。")
    db.session.commit()
    assert (case.stage, case.outcome) == ("closed", "settled")
    login_as(center.enterprise)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="case-outcome">Settled by agreement<' in page and "<dd class=\"col-sm-8\">Infringing</dd>" in page


def test_no_stage_is_due_after_the_whole_case(center):
    case = make_case(center, "infringement_complaint", "intake", patent_kind="design")
    case.external_deadline = add_working_days(center_today(), 1)
    staff = center.staff["rights_protection"]
    advance_case(case, "accept", staff)  # the assessment allows 3 working days; the case has 1 left
    assert case.due_date == case.external_deadline


@pytest.mark.parametrize("notified_at, due_at", [
    ("2026-11-27 17:00", "2026-11-28 17:00"),  # a Friday evening: the answer is due on Saturday
    ("2026-09-30 18:00", "2026-10-01 18:00"),  # the eve of National Day: due on the holiday itself
])
def test_the_fairs_24_hours_run_through_weekends_and_holidays(center, monkeypatch, notified_at, due_at):
    moment = datetime.fromisoformat(notified_at).replace(tzinfo=CENTER_ZONE)
    monkeypatch.setattr("ipcenter.cases.operations.utcnow", lambda: moment)
    monkeypatch.setattr("ipcenter.cases.operations.center_today", lambda: moment.date())
    case = notified(center, "fair")
    assert case.due_at.astimezone(CENTER_ZONE).strftime("%Y-%m-%d %H:%M") == due_at
    assert case.due_date.isoformat() == due_at[:10]
