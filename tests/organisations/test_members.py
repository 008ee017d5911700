"""Colleagues invited into an enterprise, unit reporters, posts and center accounts."""
import pytest
from sqlalchemy import select

from ipcenter.accounts.models import Role, User
from ipcenter.extensions import db
from ipcenter.organisations.models import DemonstrationUnit, OrganisationStatus, Post, UnitKind
from tests.conftest import link_in, make_organisation, make_post, make_user


def accept(client, message, password="Lantern-2026x"):
    return client.submit(link_in(message), {"password": password, "confirm": password})


def test_first_user_invites_a_colleague_who_sets_a_password(app, client, login_as, users, mailbox):
    owner = users["enterprise"]
    login_as(owner)
    response = client.submit("/organisation/invite", {"invite-email": "colleague@example.cn",
                                                      "invite-display_name": "何同事"}, page="/organisation")
    assert response.status_code == 302
    colleague = db.session.scalar(select(User).where(User.email == "colleague@example.cn"))
    assert colleague.organisation_id == owner.organisation_id and colleague.invitation_pending
    assert client.get("/organisation").get_data(as_text=True).count("Invited") == 1
    newcomer = app.test_client()
    assert accept(newcomer, mailbox()[-1]).status_code == 302
    assert "Welcome, 何同事" in newcomer.get("/").get_data(as_text=True)


def test_invitation_of_an_existing_email_is_refused(client, login_as, users):
    login_as(users["enterprise"])
    response = client.submit("/organisation/invite", {"invite-email": users["staff"].email,
                                                      "invite-display_name": "X"}, page="/organisation")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize("status, reason", [
    (OrganisationStatus.PENDING, "You can invite colleagues once the center has recorded your enterprise."),
    (OrganisationStatus.REJECTED, "Invitations are closed while the enterprise is Rejected."),
    (OrganisationStatus.SUSPENDED, "Invitations are closed while the enterprise is Suspended."),
])
def test_only_a_recorded_enterprise_invites_colleagues(client, login_as, mailbox, status, reason):
    organisation = make_organisation(status=status)
    login_as(make_user(Role.ENTERPRISE, organisation=organisation))
    page = client.get("/organisation").get_data(as_text=True)
    assert "invite-form" not in page and reason in page
    response = client.submit("/organisation/invite", {"invite-email": "a@b.cn", "invite-display_name": "A"},
                             page="/organisation")
    assert response.status_code == 403
    assert db.session.scalar(select(User).where(User.email == "a@b.cn")) is None and mailbox() == []


def test_enterprise_updates_its_details_but_not_its_credit_code(client, login_as, users):
    owner = users["enterprise"]
    code = owner.organisation.credit_code
    login_as(owner)
    client.submit("/organisation", {"address": "古镇新地址8号", "contact_person": "新联系人", "phone": "13912345678",
                                    "email": "new@org.cn", "main_products": "水晶灯", "credit_code": "X"})
    organisation = db.session.get(User, owner.id).organisation
    assert organisation.address == "古镇新地址8号" and organisation.credit_code == code
    response = client.submit("/organisation", {"address": "", "contact_person": "x", "phone": "1",
                                               "email": "x@y.cn", "main_products": "x"})
    assert "mainland-China phone number" in response.get_data(as_text=True)
    assert db.session.get(User, owner.id).organisation.address == "古镇新地址8号"


def test_manager_creates_a_unit_and_invites_its_reporter(app, client, login_as, users, mailbox):
    login_as(users["manager"])
    response = client.submit("/admin/units/new", {"name_zh": "中山市灯都专利代理所", "name_en": "Dengdu Patent Agency",
                                                  "kind": int(UnitKind.PATENT_AGENCY), "contact_person": "周先生",
                                                  "phone": "0760-88881234", "email": "zhou@dengdu.cn", "active": "y"})
    unit = db.session.scalar(select(DemonstrationUnit).where(DemonstrationUnit.name_zh == "中山市灯都专利代理所"))
    assert response.status_code == 302 and unit.kind == UnitKind.PATENT_AGENCY
    client.submit(f"/admin/units/{unit.id}/reporters", {"invite-email": "reporter@dengdu.cn",
                                                       "invite-display_name": "周报告"}, page=f"/admin/units/{unit.id}")
    reporter = db.session.scalar(select(User).where(User.email == "reporter@dengdu.cn"))
    assert reporter.role == Role.UNIT_REPORTER and reporter.unit_id == unit.id
    assert accept(app.test_client(), mailbox()[-1]).status_code == 302


def test_unit_name_must_be_unique(client, login_as, users):
    login_as(users["manager"])
    existing = users["reporter"].unit
    response = client.submit("/admin/units/new", {"name_zh": existing.name_zh, "kind": 1, "contact_person": "x",
                                                  "phone": "13800138000", "email": "x@y.cn"})
    assert "A unit with this name already exists." in response.get_data(as_text=True)


def test_manager_creates_a_post_with_staff_members(client, login_as, users):
    login_as(users["manager"])
    response = client.submit("/admin/posts/new", {"code": "customs", "name_zh": "海关协作岗", "name_en": "Customs post",
                                                  "description": "", "members": [users["staff"].id], "active": "y"})
    assert response.status_code == 302
    post = db.session.scalar(select(Post).where(Post.code == "customs"))
    assert [member.id for member in post.members] == [users["staff"].id]


def test_post_refuses_bad_codes_and_duplicate_names(client, login_as, users):
    existing = make_post()
    login_as(users["manager"])
    response = client.submit("/admin/posts/new", {"code": "Bad Code", "name_zh": existing.name_zh,
                                                  "name_en": "Fresh", "active": "y"})
    text = response.get_data(as_text=True)
    assert "Use lower-case letters, digits and underscores only." in text
    assert "Another post already uses this." in text


def test_post_members_must_be_center_accounts(client, login_as, users):
    login_as(users["manager"])
    response = client.submit("/admin/posts/new", {"code": "x1", "name_zh": "某岗", "name_en": "Some post",
                                                  "members": [users["enterprise"].id]})
    assert response.status_code == 200 and "not a valid choice" in response.get_data(as_text=True)


def test_manager_creates_a_staff_account_who_is_emailed(app, client, login_as, users, mailbox):
    post = make_post()
    login_as(users["manager"])
    response = client.submit("/admin/users/new", {"email": "new.staff@center.cn", "display_name": "新员工",
                                                  "role": int(Role.STAFF), "posts": [post.id]})
    assert response.status_code == 302
    staff = db.session.scalar(select(User).where(User.email == "new.staff@center.cn"))
    assert staff.role == Role.STAFF and [p.id for p in staff.posts] == [post.id]
    assert mailbox()[-1]["To"] == "new.staff@center.cn"


def test_manager_deactivates_a_user_who_is_logged_out_at_once(app, client, login_as, users):
    victim_client = app.test_client()
    victim_client.submit("/login", {"email": users["staff"].email, "password": "Lamp-shade-2026"})
    login_as(users["manager"])
    client.submit(f"/admin/users/{users['staff'].id}/active", page="/admin/users/")
    assert db.session.get(User, users["staff"].id).active is False
    assert victim_client.get("/account").status_code == 302


def test_manager_cannot_deactivate_or_demote_themselves(client, login_as, users):
    manager = users["manager"]
    login_as(manager)
    client.submit(f"/admin/users/{manager.id}/active", page="/admin/users/")
    assert db.session.get(User, manager.id).active is True
    response = client.submit(f"/admin/users/{manager.id}", {"display_name": "M", "role": int(Role.STAFF)})
    assert "You cannot take away your own manager role." in response.get_data(as_text=True)
    assert db.session.get(User, manager.id).role == Role.MANAGER


def test_user_list_filters_by_role_and_text_taken_literally(client, login_as, users):
    login_as(users["manager"])
    listing = client.get(f"/admin/users/?role={int(Role.STAFF)}").get_data(as_text=True)
    assert users["staff"].email in listing and users["enterprise"].email not in listing
    listing = client.get(f"/admin/users/?q={users['reporter'].email}").get_data(as_text=True)
    assert users["reporter"].email in listing and users["staff"].email not in listing
    assert users["staff"].email not in client.get("/admin/users/?q=%25").get_data(as_text=True)
