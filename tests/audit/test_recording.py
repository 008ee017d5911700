"""Every action a center must account for writes one audit entry: who, when, what, on what, the change,
and from where. A change that is rolled back leaves none; a failure or a denial is kept though its request fails."""
import io
from datetime import UTC

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ipcenter.accounts.models import User
from ipcenter.audit import operations as audit_operations
from ipcenter.cases.models import Attachment, Case
from ipcenter.extensions import db
from ipcenter.organisations.models import OrganisationStatus
from tests.cases.conftest import center, make_case  # noqa: F401  (the center fixture)
from tests.conftest import PASSWORD, link_in, make_organisation
from tests.organisations.test_registration import registration

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"
ADDRESS = "203.0.113.7"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def client(app):
    """A browser at a known address with a known user agent."""
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)
    return client


def only(entries, action):
    found = entries(action)
    assert len(found) == 1, f"{len(found)} entries for {action}"
    return found[0]


def test_a_login_records_who_when_and_from_where(client, login_as, users, entries):
    login_as(users["staff"])
    entry = only(entries, "account.login")
    assert (entry.actor_id, entry.object_kind, entry.object_id) == (users["staff"].id, "user", str(users["staff"].id))
    assert (entry.address, entry.user_agent) == (ADDRESS, BROWSER)
    assert entry.created_at.tzinfo == UTC and entry.before is None and entry.after is None


def test_the_address_is_the_client_behind_the_configured_proxy(app, users, entries):
    app.config["PROXY_COUNT"] = 1
    from ipcenter.security import init_security
    init_security(app)  # wraps the WSGI app in ProxyFix, as create_app does in production
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {ADDRESS}")
    client.submit("/login", {"email": users["staff"].email, "password": PASSWORD})
    assert only(entries, "account.login").address == ADDRESS


@pytest.mark.parametrize("email, password, reason", [
    ("staff", "Wrong-password-1", "wrong password"),
    ("nobody@example.cn", PASSWORD, "no such account"),
])
def test_a_failed_login_is_recorded_with_the_address_and_no_user(client, users, entries, email, password, reason):
    typed = users[email].email if email in users else email
    response = client.submit("/login", {"email": typed, "password": password})
    assert response.status_code == 200 and "Wrong email or password" in response.get_data(as_text=True)
    entry = only(entries, "account.login_failed")
    assert entry.actor_id is None and entry.address == ADDRESS and entry.user_agent == BROWSER
    assert entry.after == {"email": typed, "reason": reason}
    assert entry.object_id == (str(users[email].id) if email in users else None)
    assert entries("account.login") == []


def test_a_deactivated_account_cannot_log_in_and_the_attempt_is_recorded(client, users, entries):
    users["staff"].active = False
    client.submit("/login", {"email": users["staff"].email, "password": PASSWORD})
    assert only(entries, "account.login_failed").after["reason"] == "account deactivated"


def test_logout_is_recorded(client, login_as, users, entries):
    login_as(users["enterprise"])
    assert client.submit("/logout", page="/").status_code == 302
    entry = only(entries, "account.logout")
    assert entry.actor_id == users["enterprise"].id and entry.object_id == str(users["enterprise"].id)


def test_a_password_change_and_a_refused_one_are_recorded(client, login_as, users, entries):
    login_as(users["staff"])
    refused = client.submit("/account/password", {"current_password": "Not-my-password-9",
                                                   "password": "Brand-new-lamp-2027", "confirm": "Brand-new-lamp-2027"})
    assert refused.status_code == 200 and entries("account.password_changed") == []
    assert only(entries, "account.password_change_failed").actor_id == users["staff"].id
    changed = client.submit("/account/password", {"current_password": PASSWORD, "password": "Brand-new-lamp-2027",
                                                  "confirm": "Brand-new-lamp-2027"})
    assert changed.status_code == 302
    assert only(entries, "account.password_changed").actor_id == users["staff"].id


def test_a_password_reset_by_emailed_link_is_recorded(client, users, entries, mailbox):
    client.submit("/password/forgot", {"email": users["enterprise"].email})
    link = link_in(mailbox()[-1])
    response = client.submit(link, {"password": "Brand-new-lamp-2027", "confirm": "Brand-new-lamp-2027"})
    assert response.status_code == 302
    entry = only(entries, "account.password_reset")
    assert entry.actor_id == users["enterprise"].id and entry.address == ADDRESS


def test_a_page_refused_with_403_is_recorded_though_the_request_fails(client, login_as, users, entries):
    login_as(users["staff"])
    assert client.get("/admin/users/").status_code == 403
    entry = only(entries, "access.denied")
    assert (entry.actor_id, entry.object_kind, entry.object_id) == (users["staff"].id, "page", "/admin/users/")
    assert entry.after == {"permission": "admin.users", "target": None, "method": "GET", "answered": 403}


def test_a_denial_the_log_cannot_take_is_still_a_403_and_is_written_to_the_server_log(client, login_as, users,
                                                                                    entries, monkeypatch, caplog):
    login_as(users["enterprise"])

    def database_locked(rows):
        raise OperationalError("INSERT INTO audit_entries", {}, Exception("database is locked"))

    monkeypatch.setattr(audit_operations, "_insert", database_locked)
    assert client.get("/admin/users/").status_code == 403
    assert any("audit entries not written" in message and "access.denied" in message for message in caplog.messages)


def test_a_case_hidden_behind_404_is_still_a_recorded_denial(client, login_as, center, entries):
    case = make_case(center)
    login_as(center.other_enterprise)
    assert client.get(f"/cases/{case.reference}").status_code == 404
    entry = only(entries, "access.denied")
    assert entry.after["permission"] == "case.view" and entry.after["answered"] == 404
    assert entry.after["target"] == f"Case {case.id}"


def test_a_forbidden_workflow_action_is_recorded_and_changes_nothing(client, login_as, center, entries):
    case = make_case(center)
    login_as(center.enterprise)  # answering is the consultation post's work
    response = client.submit(f"/cases/{case.reference}/actions/answer", {"version": case.version, "comment": "答"},
                             page=f"/cases/{case.reference}")
    assert response.status_code == 403
    assert db.session.get(Case, case.id).stage == "answering" and entries("case.transition") == []
    entry = only(entries, "access.denied")
    assert (entry.object_kind, entry.object_id, entry.actor_id) == ("case", case.reference, center.enterprise.id)
    assert entry.after == {"permission": "workflow action answer", "stage": "answering"}


def test_a_transition_records_the_stages_before_and_after(client, login_as, center, entries):
    case = make_case(center)
    login_as(center.staff["consultation"])
    client.submit(f"/cases/{case.reference}/actions/answer", {"version": case.version, "comment": "保护期十五年"},
                  page=f"/cases/{case.reference}")
    entry = only(entries, "case.transition")
    assert (entry.object_kind, entry.object_id, entry.actor_id) == ("case", case.reference,
                                                                     center.staff["consultation"].id)
    assert entry.before == {"stage": "answering"}
    assert entry.after["stage"] == "answered" and entry.after["action"] == "answer"


def test_a_rolled_back_transition_leaves_no_entry(client, login_as, center, entries, monkeypatch):
    case = make_case(center)

    def mail_server_breaks(*args, **kwargs):
        raise RuntimeError("notification failed after the change was made")

    monkeypatch.setattr("ipcenter.cases.operations._announce_transition", mail_server_breaks)
    login_as(center.staff["consultation"])
    response = client.submit(f"/cases/{case.reference}/actions/answer", {"version": case.version, "comment": "答"},
                             page=f"/cases/{case.reference}")
    assert response.status_code == 500
    assert db.session.get(Case, case.id).stage == "answering" and entries("case.transition") == []


def test_assignment_delegation_and_notes_are_recorded(client, login_as, center, entries):
    case = make_case(center, "foreign_assistance", "in_progress")
    staff = login_as(center.staff[case.post.code])
    client.submit(f"/cases/{case.reference}/assign", {"version": case.version, "claim": "1"}, page="/")
    client.submit(f"/cases/{case.reference}/notes", {"comment": "内部备注"}, page="/")
    client.submit(f"/cases/{case.reference}/delegate", {"version": db.session.get(Case, case.id).version,
                                                         "unit": center.unit.id, "comment": "请出具比对意见"}, page="/")
    client.submit(f"/cases/{case.reference}/delegation/end", page="/")
    assigned = only(entries, "case.assigned")
    assert (assigned.before, assigned.after) == ({"assignee_id": None}, {"assignee_id": staff.id})
    assert only(entries, "case.note").object_id == case.reference
    delegated = only(entries, "case.delegated")
    assert (delegated.before, delegated.after) == ({"unit_id": None}, {"unit_id": center.unit.id})
    ended = only(entries, "case.delegation_ended")
    assert (ended.before, ended.after) == ({"unit_id": center.unit.id}, {"unit_id": None})
    assert {e.actor_id for e in entries() if e.action.startswith("case.")} == {staff.id}


@pytest.mark.parametrize("decision, status_before, reason, status_after", [
    ("approve", OrganisationStatus.PENDING, "", "RECORDED"),
    ("reject", OrganisationStatus.PENDING, "信用代码与营业执照不符", "REJECTED"),
    ("suspend", OrganisationStatus.RECORDED, "预审不合格率超过一半", "SUSPENDED"),
])
def test_enterprise_decisions_are_recorded(client, login_as, users, entries, decision, status_before, reason,
                                           status_after):
    organisation = make_organisation(status=status_before)
    db.session.commit()
    login_as(users["manager"])
    response = client.submit(f"/admin/organisations/{organisation.id}/review/{decision}", {"reason": reason},
                             page=f"/admin/organisations/{organisation.id}")
    assert response.status_code == 302
    entry = only(entries, f"organisation.{decision}")
    assert (entry.actor_id, entry.object_kind, entry.object_id) == (users["manager"].id, "organisation",
                                                                     str(organisation.id))
    assert entry.before == {"status": status_before.name}
    assert entry.after == {"status": status_after, "reason": reason or None}


def test_creating_a_user_changing_the_role_and_deactivating_are_recorded(client, login_as, users, entries):
    login_as(users["manager"])
    client.submit("/admin/users/new", {"email": "new.staff@example.cn", "display_name": "新同事", "role": "2"})
    new = db.session.scalar(select(User).where(User.email == "new.staff@example.cn"))
    [created] = [entry for entry in entries("user.created") if entry.object_id == str(new.id)]
    assert created.actor_id == users["manager"].id
    assert created.after["role"] == "STAFF" and created.after["email"] == "new.staff@example.cn"
    client.submit(f"/admin/users/{new.id}", {"display_name": "新同事", "role": "3"})
    changed = only(entries, "user.role_changed")
    assert (changed.before, changed.after) == ({"role": "STAFF"}, {"role": "MANAGER"})
    client.submit(f"/admin/users/{new.id}/active", page="/admin/users/")
    deactivated = only(entries, "user.deactivated")
    assert (deactivated.before, deactivated.after) == ({"active": True}, {"active": False})


def test_a_self_registered_enterprise_user_is_created_by_an_anonymous_visitor(client, entries):
    assert client.submit("/register", registration()).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "liang@xinguang.cn"))
    entry = only(entries, "user.created")
    assert entry.actor_id is None and entry.address == ADDRESS and entry.object_id == str(user.id)
    assert entry.after["role"] == "ENTERPRISE" and entry.after["organisation_id"] == user.organisation_id


def test_an_attachment_download_is_recorded(client, login_as, center, entries):
    case = make_case(center)
    login_as(center.staff["consultation"])
    client.submit(f"/cases/{case.reference}/notes", {"comment": "附件", "files": [(io.BytesIO(PDF), "图纸.pdf")]},
                  page=f"/cases/{case.reference}", content_type="multipart/form-data")
    attachment = db.session.scalar(select(Attachment))
    assert client.get(f"/cases/{case.reference}/attachments/{attachment.id}").status_code == 200
    entry = only(entries, "attachment.downloaded")
    assert (entry.object_kind, entry.object_id) == ("attachment", str(attachment.id))
    assert entry.after == {"case": case.reference, "name": "图纸.pdf"}


def test_a_search_report_download_is_recorded(client, login_as, center, entries):
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    assert client.get(f"/cases/{case.reference}/search-report.docx").status_code == 200
    entry = only(entries, "report.downloaded")
    assert (entry.object_kind, entry.object_id) == ("case", case.reference)


def test_a_patent_export_is_recorded_with_its_query(client, login_as, users, entries):
    from tests.patents.test_search import RECORDS, add_records

    add_records(*RECORDS)
    login_as(users["staff"])
    assert client.get("/patents/export.csv", query_string={"q": "lc:26-05"}).status_code == 200
    entry = only(entries, "patents.exported")
    assert entry.after["query"] == "lc:26-05" and entry.after["format"] == "csv" and entry.after["records"] > 0


def test_a_refused_export_is_not_recorded_as_an_export(client, login_as, users, entries):
    login_as(users["staff"])
    assert client.get("/patents/export.csv").status_code == 400
    assert entries("patents.exported") == []
