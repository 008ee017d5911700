"""Managers record, reject, suspend and reinstate enterprises; the enterprise hears of it."""
import pytest
from sqlalchemy import select

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.notifications.models import Notification
from ipcenter.organisations.models import Organisation, OrganisationReview, OrganisationStatus, ReviewAction
from tests.conftest import make_organisation, make_user


@pytest.fixture
def pending(app):
    organisation = make_organisation(status=OrganisationStatus.PENDING)
    make_user(Role.ENTERPRISE, organisation=organisation, email="owner@pending.cn")
    return organisation


def decide(client, organisation, action, reason=""):
    return client.submit(f"/admin/organisations/{organisation.id}/review/{action}", {"reason": reason},
                         page=f"/admin/organisations/{organisation.id}")


def test_manager_approves_a_pending_enterprise_and_it_is_told(client, login_as, users, pending, mailbox):
    login_as(users["manager"])
    response = decide(client, pending, "approve")
    assert response.status_code == 302
    assert db.session.get(Organisation, pending.id).status == OrganisationStatus.RECORDED
    review = db.session.scalar(select(OrganisationReview))
    assert review.action == ReviewAction.APPROVE and review.actor_id == users["manager"].id
    [message] = mailbox()
    assert message["To"] == "owner@pending.cn"
    assert "Recorded" in message["Subject"]


def test_rejection_needs_a_reason_which_the_enterprise_then_sees(client, login_as, users, pending, mailbox):
    login_as(users["manager"])
    response = decide(client, pending, "reject")
    assert response.status_code == 400
    assert "Give a reason" in response.get_data(as_text=True)
    assert db.session.get(Organisation, pending.id).status == OrganisationStatus.PENDING
    assert mailbox() == []
    decide(client, pending, "reject", "营业执照上的名称与填写的不一致")
    assert db.session.get(Organisation, pending.id).status == OrganisationStatus.REJECTED
    client.submit("/logout", page="/")
    owner = pending.users[0]
    login_as(owner)
    assert "营业执照上的名称与填写的不一致" in client.get("/organisation").get_data(as_text=True)


def test_suspend_and_reinstate_a_recorded_enterprise(client, login_as, users):
    organisation = users["enterprise"].organisation
    login_as(users["manager"])
    assert decide(client, organisation, "suspend").status_code == 400
    decide(client, organisation, "suspend", "涉嫌提交虚假材料")
    assert db.session.get(Organisation, organisation.id).status == OrganisationStatus.SUSPENDED
    decide(client, organisation, "reinstate")
    assert db.session.get(Organisation, organisation.id).status == OrganisationStatus.RECORDED
    history = client.get(f"/admin/organisations/{organisation.id}").get_data(as_text=True)
    assert "Suspended" in history and "Reinstated" in history and "涉嫌提交虚假材料" in history


@pytest.mark.parametrize("status, action", [
    (OrganisationStatus.RECORDED, "approve"),
    (OrganisationStatus.RECORDED, "reject"),
    (OrganisationStatus.PENDING, "suspend"),
    (OrganisationStatus.PENDING, "reinstate"),
    (OrganisationStatus.SUSPENDED, "approve"),
])
def test_decisions_the_status_does_not_allow_are_refused(client, login_as, users, status, action):
    organisation = make_organisation(status=status)
    login_as(users["manager"])
    response = decide(client, organisation, action, "a reason")
    assert response.status_code == 400
    assert "This decision is not possible" in response.get_data(as_text=True)
    assert db.session.get(Organisation, organisation.id).status == status


def test_unknown_decision_is_a_400(client, login_as, users, pending):
    login_as(users["manager"])
    assert decide(client, pending, "promote").status_code == 400


@pytest.mark.parametrize("role", ["enterprise", "staff", "reporter"])
def test_only_managers_may_decide(client, login_as, users, pending, role):
    login_as(users[role])
    assert decide(client, pending, "approve").status_code == 403
    assert db.session.get(Organisation, pending.id).status == OrganisationStatus.PENDING


def test_organisation_list_filters_by_status_and_name(client, login_as, users, pending):
    login_as(users["manager"])
    listing = client.get("/admin/organisations/?status=1").get_data(as_text=True)
    assert pending.name_zh in listing and users["enterprise"].organisation.name_zh not in listing
    listing = client.get(f"/admin/organisations/?q={pending.credit_code[-6:]}").get_data(as_text=True)
    assert pending.name_zh in listing and users["enterprise"].organisation.name_zh not in listing


def test_a_rejected_registration_frees_its_credit_code_for_the_real_company(client, login_as, users, pending):
    """Someone registered a company they do not run; the manager rejects it, the real company registers,
    and the review page shows the manager that the code was used before."""
    from tests.organisations.test_registration import registration

    login_as(users["manager"])
    decide(client, pending, "reject", reason="营业执照与申请人不符")
    client.submit("/logout", page="/")
    response = client.submit("/register", registration(credit_code=pending.credit_code))
    assert response.status_code == 302
    real = db.session.scalar(select(Organisation).where(Organisation.status == OrganisationStatus.PENDING))
    assert real.credit_code == pending.credit_code and real.id != pending.id

    login_as(users["manager"])
    page = client.get(f"/admin/organisations/{real.id}").get_data(as_text=True)
    assert "Other registrations gave the same credit code:" in page and pending.name_zh in page
    refused = decide(client, pending, "approve")  # two live holders of one code: never
    assert refused.status_code == 400 and "Another registration now holds this credit code" in refused.get_data(
        as_text=True)
    assert db.session.get(Organisation, pending.id).status == OrganisationStatus.REJECTED


def test_a_live_registration_keeps_its_credit_code(client, pending):
    from tests.organisations.test_registration import registration

    response = client.submit("/register", registration(credit_code=pending.credit_code))
    assert "already registered" in response.get_data(as_text=True)


def test_a_recorded_enterprise_hears_of_it_in_the_app_too(client, login_as, users, pending, mailbox):
    login_as(users["manager"])
    decide(client, pending, "approve")
    client.submit("/logout", page="/")
    owner = pending.users[0]
    login_as(owner)
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert f"{users['manager'].display_name} recorded {pending.name_en} with the center" in inbox
    notification = db.session.scalar(select(Notification).where(Notification.user_id == owner.id))
    opened = client.submit(f"/notifications/{notification.id}/open", page="/notifications/")
    assert opened.headers["Location"].endswith("/organisation")
    assert len(mailbox()) == 1  # the email that says so, not a second one
