"""Delegating work to a demonstration unit: the unit reads its brief (and only that of the center's
internal timeline), hears of it, and its delegation ends when the case closes."""
from sqlalchemy import select

from ipcenter.cases.models import Case, CaseEvent, EventKind
from ipcenter.extensions import db
from ipcenter.notifications.models import Notification
from tests.cases.conftest import make_case

BRIEF = "请在三个工作日内出具侵权比对意见，重点比对灯臂造型。"
NOTE = "客户难缠，注意措辞"


def delegate_over_http(client, login_as, center, case, brief=BRIEF):
    login_as(center.staff[case.post.code])
    client.submit(f"/cases/{case.reference}/notes", {"comment": NOTE}, page="/")
    response = client.submit(f"/cases/{case.reference}/delegate",
                             {"version": case.version, "unit": center.unit.id, "comment": brief}, page="/")
    assert response.status_code == 302
    client.submit("/logout", page="/")


def test_the_unit_reads_its_brief_on_the_case_page_but_no_internal_note(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_over_http(client, login_as, center, case)
    login_as(center.reporter)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert BRIEF in page.split('id="delegation-brief"')[1].split("</div>")[0]
    assert NOTE not in page
    assert ">Internal</span>" not in page  # what the unit may read is not "internal" to it


def test_the_enterprise_never_reads_the_brief(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_over_http(client, login_as, center, case)
    login_as(center.enterprise)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert BRIEF not in page and 'id="delegation-brief"' not in page


def test_the_center_sees_the_brief_it_gave(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_over_http(client, login_as, center, case)
    login_as(center.manager)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert BRIEF in page.split('id="delegation-brief"')[1]
    assert page.count(">Internal</span>") == 2  # the note and the delegation, marked for the center


def test_a_delegation_without_a_brief_is_refused_beside_the_field(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    login_as(center.staff[case.post.code])
    response = client.submit(f"/cases/{case.reference}/delegate",
                             {"version": case.version, "unit": center.unit.id, "comment": "  "}, page="/")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and db.session.get(Case, case.id).delegated_unit is None
    assert "Write what the unit should do: it is the unit's brief." in html.split('id="delegate-form"')[1]


def test_the_units_notification_and_email_carry_the_brief(client, login_as, center, mailbox):
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_over_http(client, login_as, center, case)
    [notification] = db.session.scalars(select(Notification).where(Notification.user_id == center.reporter.id))
    assert notification.excerpt == BRIEF
    assert case.reference in notification.message and case.title in notification.message
    [message] = [m for m in mailbox() if m["To"] == center.reporter.email]
    assert BRIEF in message.get_content()
    login_as(center.reporter)
    assert BRIEF in client.get("/notifications/").get_data(as_text=True)


def test_a_unit_with_an_english_name_is_named_in_english(client, login_as, center):
    center.unit.name_en = "Guzhen Patent Agency"
    db.session.commit()
    case = make_case(center, "foreign_assistance", "in_progress")
    login_as(center.staff["foreign_assistance"])
    assert "Guzhen Patent Agency" in client.get(f"/cases/{case.reference}").get_data(as_text=True)  # the menu
    client.submit(f"/cases/{case.reference}/delegate",
                  {"version": case.version, "unit": center.unit.id, "comment": BRIEF}, page="/")
    client.submit("/logout", page="/")
    [notification] = db.session.scalars(select(Notification).where(Notification.user_id == center.reporter.id))
    login_as(center.reporter)  # reads English
    assert "Guzhen Patent Agency" in client.get("/notifications/").get_data(as_text=True)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Delegation brief for Guzhen Patent Agency" in page
    assert center.unit.name_zh not in page


def test_closing_the_case_ends_its_delegation(client, login_as, center):
    case = make_case(center, "foreign_assistance", "resolved")
    delegate_over_http(client, login_as, center, case)
    login_as(center.staff["foreign_assistance"])
    response = client.submit(f"/cases/{case.reference}/actions/close", {"version": case.version}, page="/")
    assert response.status_code == 302
    closed = db.session.get(Case, case.id)
    assert closed.stage == "closed" and closed.delegated_unit_id is None
    ended = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                      CaseEvent.kind == EventKind.DELEGATION_ENDED))
    assert ended.unit_id == center.unit.id
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == center.reporter.id)
                               .order_by(Notification.id)).all()
    assert kinds == ["delegated", "delegation_ended"]
    client.submit("/logout", page="/")
    login_as(center.reporter)
    assert case.reference not in client.get("/cases/?state=all").get_data(as_text=True)
