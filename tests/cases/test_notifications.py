"""Who hears of what: in the app (unread count, list, mark read) and by email; daily reminders."""
import time
from datetime import date, timedelta
from unittest import mock

from sqlalchemy import select

from ipcenter.cases import operations
from ipcenter.cases.models import Case, CaseEvent, EventKind
from ipcenter.cases.operations import advance_case, assign_case, delegate_case
from ipcenter.database import utcnow
from ipcenter.extensions import db
from ipcenter.mail import OutgoingMail
from ipcenter.notifications.models import Notification
from tests.cases.conftest import make_case
from tests.mail_servers import hanging_smtp_server


def kinds_for(user):
    return [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                                .order_by(Notification.id))]


def test_enterprise_hears_of_public_transitions_and_correction_requests(center):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    advance_case(case, "request_corrections", center.staff["pre_examination"], comment="请补充视图")
    advance_case(case, "answer_corrections", center.enterprise, comment="已补充")
    advance_case(case, "pass", center.staff["pre_examination"], comment="合格")
    assert kinds_for(center.enterprise) == ["stage_changed", "stage_changed"]
    # the answer to the correction request reaches the post (nobody is assigned)
    assert "stage_changed" in kinds_for(center.staff["pre_examination"])


def test_staff_hear_of_cases_entering_their_queue_and_of_assignments(center):
    case = make_case(center, "patent_filing")
    assert kinds_for(center.staff["intake"]) == ["case_submitted"]
    advance_case(case, "accept", center.staff["intake"])
    assert kinds_for(center.staff["filing"]) == ["entered_queue"]
    assign_case(case, center.colleague["filing"], center.staff["filing"])
    assert kinds_for(center.colleague["filing"]) == ["entered_queue", "assigned"]


def test_units_hear_of_delegation_and_assignees_of_their_reports(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    assign_case(case, center.staff["foreign_assistance"], center.manager)
    delegate_case(case, center.unit, center.staff["foreign_assistance"], "请联系展会主办方")
    db.session.commit()
    assert kinds_for(center.reporter) == ["delegated"]
    login_as(center.reporter)
    client.submit(f"/cases/{case.reference}/progress", {"percent": 60, "note": "已向主办方投诉"}, page="/")
    assert kinds_for(center.staff["foreign_assistance"])[-1] == "unit_report"
    assert "unit_report" not in kinds_for(center.colleague["foreign_assistance"])


def test_unread_count_list_and_mark_read(client, login_as, center, mailbox):
    make_case(center, "consultation")
    make_case(center, "consultation")
    login_as(center.staff["consultation"])
    page = client.get("/").get_data(as_text=True)
    assert 'id="unread-count">2<' in page
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert inbox.count('data-read="no"') == 2
    first = db.session.scalar(select(Notification).where(Notification.user_id == center.staff["consultation"].id))
    response = client.submit(f"/notifications/{first.id}/open", page="/notifications/")
    assert response.headers["Location"].endswith(f"/cases/{first.case.reference}")
    assert 'id="unread-count">1<' in client.get("/").get_data(as_text=True)
    client.submit("/notifications/read", page="/notifications/")
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)


def test_nobody_opens_someone_elses_notification(client, login_as, center):
    make_case(center, "consultation")
    theirs = db.session.scalar(select(Notification))
    login_as(center.enterprise)
    assert client.submit(f"/notifications/{theirs.id}/open", page="/").status_code == 404
    assert db.session.get(Notification, theirs.id).read_at is None


def test_transitions_over_http_also_send_email_after_the_commit(client, login_as, center, mailbox):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    client.submit(f"/cases/{case.reference}/actions/answer", {"version": case.version, "comment": "保护期十五年"},
                  page="/")
    [message] = [m for m in mailbox() if m["To"] == center.enterprise.email]
    assert case.reference in message["Subject"]


def test_a_mail_server_that_hangs_does_not_slow_a_transition(app, client, login_as, center, runner):
    with hanging_smtp_server() as port:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=1)
        case = make_case(center, "consultation")
        login_as(center.staff["consultation"])
        form = {"version": case.version, "comment": "保护期十五年", "csrf_token": client.csrf_token("/")}
        started = time.monotonic()
        response = client.post(f"/cases/{case.reference}/actions/answer", data=form)
        assert response.status_code == 302 and time.monotonic() - started < 1  # the mail server was not asked
        [message] = [m for m in db.session.scalars(select(OutgoingMail)) if m.recipient == center.enterprise.email
                     and case.reference in m.subject]
        assert message.sent_at is None and message.attempts == 0
        result = runner.invoke(args=["mail", "retry"])  # the worker waits for the server, and gives up
    assert "sent: 0, still failing:" in result.output
    db.session.refresh(message)
    assert message.sent_at is None and message.attempts == 1 and "timed out" in message.last_error
    assert message.next_attempt_at > utcnow() + timedelta(seconds=100)


def test_remind_notifies_due_and_overdue_cases_and_escalates_once(runner, center):
    with mock.patch.object(operations, "center_today", return_value=date(2026, 11, 2)):
        due_soon = make_case(center, "consultation")  # due Thursday 5 November
        overdue = make_case(center, "fast_retrieval", "searching")  # due Monday 9 November
    untouched = make_case(center, "consultation")
    result = runner.invoke(args=["cases", "remind", "--date", "2026-11-10"])
    assert result.exit_code == 0, result.output
    assert "overdue: 2" in result.output and "newly escalated: 2" in result.output
    assert kinds_for(center.manager).count("escalated") == 2
    assert "overdue" in kinds_for(center.staff["retrieval"])
    again = runner.invoke(args=["cases", "remind", "--date", "2026-11-10"])
    assert "overdue: 0" in again.output  # once a day
    next_day = runner.invoke(args=["cases", "remind", "--date", "2026-11-11"])
    assert "overdue: 2" in next_day.output and "newly escalated: 0" in next_day.output
    escalations = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == EventKind.ESCALATED)).all()
    assert {e.case_id for e in escalations} == {due_soon.id, overdue.id}
    assert db.session.get(Case, untouched.id).escalated_on is None


def test_remind_warns_of_cases_due_within_a_working_day(runner, center):
    with mock.patch.object(operations, "center_today", return_value=date(2026, 11, 2)):
        case = make_case(center, "consultation")  # due Thursday 5 November
    result = runner.invoke(args=["cases", "remind", "--date", "2026-11-04"])
    assert "due within a working day: 1" in result.output and "overdue: 0" in result.output
    assert "due_soon" in kinds_for(center.staff["consultation"])
    assert "due_soon" in kinds_for(center.colleague["consultation"])  # the whole post hears
    assert db.session.get(Case, case.id).version == case.version  # open forms stay valid


def test_remind_tells_the_assignee_and_the_post(runner, center):
    with mock.patch.object(operations, "center_today", return_value=date(2026, 11, 2)):
        case = make_case(center, "consultation")
    assign_case(case, center.manager, center.staff["consultation"])
    db.session.commit()
    runner.invoke(args=["cases", "remind", "--date", "2026-11-10"])
    for user in (center.manager, center.staff["consultation"], center.colleague["consultation"]):
        assert "overdue" in kinds_for(user)


def test_remind_rejects_a_bad_date(runner):
    result = runner.invoke(args=["cases", "remind", "--date", "yesterday"])
    assert result.exit_code != 0 and "Invalid value for '--date'" in result.output


# News, not orders: who did what to which case, with the title and what was written or recorded -------

def notifications_of(user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_a_recorded_grant_is_news_with_its_number_title_and_comment(client, login_as, center, mailbox):
    case = make_case(center, "fast_pre_examination", "forwarded")
    login_as(center.staff["pre_examination"])
    client.submit(f"/cases/{case.reference}/actions/record_grant",
                  {"version": case.version, "patent_number": "ZL202130123456.8", "comment": "授权公告已发布"},
                  page="/")
    [notification] = notifications_of(center.enterprise)
    assert notification.excerpt == "授权公告已发布"
    [message] = [m for m in mailbox() if m["To"] == center.enterprise.email]
    assert message["Subject"] == f"Grant recorded: ZL202130123456.8, {case.reference} “水晶吊灯外观”."
    assert "授权公告已发布" in message.get_content()
    assert message["From"].startswith("Guzhen IP Rapid-Protection Service Center <")


def test_a_closed_case_says_who_closed_it_in_the_readers_language(client, login_as, center, mailbox):
    center.enterprise.language = "zh"
    closer = center.staff["consultation"]
    closer.display_name = "王预审"
    db.session.commit()
    case = make_case(center, "consultation", "answered")
    login_as(closer)
    client.submit(f"/cases/{case.reference}/actions/close", {"version": case.version}, page="/")
    [notification] = notifications_of(center.enterprise)
    [message] = [m for m in mailbox() if m["To"] == center.enterprise.email]
    assert message["Subject"] == f"王预审已结案：{case.reference}“外观专利保护期限”。"
    assert "古镇知识产权快速维权中心" in message["From"] and "古镇知识产权快速维权中心" in message.get_content()
    assert notification.kind == "stage_changed"


def test_no_mail_or_page_title_says_ipcenter(client, login_as, center, mailbox):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "<title>" in page and "Guzhen IP Rapid-Protection Service Center</title>" in page
    client.submit(f"/cases/{case.reference}/actions/answer", {"version": case.version, "comment": "十五年"}, page="/")
    client.submit("/logout", page="/")
    client.submit("/password/forgot", {"email": center.enterprise.email})
    messages = mailbox()
    assert len(messages) == 2
    for message in messages:
        text = [line for line in message.get_content().splitlines() if not line.startswith("http")]  # not links
        assert "ipcenter" not in " ".join([message["Subject"], message["From"].split("<")[0], *text]).lower()


def test_a_manager_on_every_post_does_not_hear_of_every_move(center):
    for post in center.posts.values():
        post.members.append(center.manager)
    db.session.commit()
    case = make_case(center, "fast_pre_examination")
    staff = center.staff["pre_examination"]
    advance_case(case, "accept", center.staff["intake"])
    advance_case(case, "request_corrections", staff, comment="请补充左视图")
    advance_case(case, "answer_corrections", center.enterprise, comment="已补充")
    advance_case(case, "pass", staff)
    advance_case(case, "forward", staff, application_number="202130123456.8")
    advance_case(case, "record_grant", staff, patent_number="ZL202130123456.8")
    advance_case(case, "close", staff)
    assert kinds_for(center.manager) == []
    # the post's staff hear once that the case entered their queue, and of the enterprise's answer
    assert kinds_for(staff) == ["entered_queue", "stage_changed"]
    assert kinds_for(center.staff["intake"]) == ["case_submitted"]


def test_a_manager_who_alone_works_a_post_hears_of_its_new_cases(center):
    intake = center.posts["intake"]
    intake.members[:] = [center.manager]
    db.session.commit()
    make_case(center, "fast_pre_examination")
    assert kinds_for(center.manager) == ["case_submitted"]
