"""Who may open which page: every role against every page, denials written out."""
import logging

import pytest

from tests.conftest import make_post

ROLES = ["anonymous", "enterprise", "staff", "manager", "reporter"]

# page -> the roles that may open it; everyone else is refused.
ADMIN_PAGES = [
    "/admin/users/", "/admin/users/new", "/admin/users/{staff_id}",
    "/admin/organisations/", "/admin/organisations/{organisation_id}",
    "/admin/units/", "/admin/units/new", "/admin/units/{unit_id}",
    "/admin/posts/", "/admin/posts/new", "/admin/posts/{post_id}",
    "/admin/audit/", "/admin/audit/export.csv",
]
ADMIN_ACTIONS = [
    "/admin/users/{staff_id}/active",
    "/admin/organisations/{organisation_id}/review/approve",
    "/admin/units/{unit_id}/reporters",
]
SIGNED_IN_PAGES = {"/account": {"enterprise", "staff", "manager", "reporter"},
                   "/account/password": {"enterprise", "staff", "manager", "reporter"},
                   "/organisation": {"enterprise"}}
PUBLIC_PAGES = ["/", "/login", "/register", "/password/forgot"]


@pytest.fixture
def ids(users):
    post = make_post()
    return {"staff_id": users["staff"].id, "organisation_id": users["enterprise"].organisation_id,
            "unit_id": users["reporter"].unit_id, "post_id": post.id}


def open_as(client, login_as, users, role):
    if role != "anonymous":
        login_as(users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_are_for_managers_only(client, login_as, users, ids, role, page):
    response = open_as(client, login_as, users, role).get(page.format(**ids))
    expected = {"anonymous": 302, "manager": 200}.get(role, 403)
    assert response.status_code == expected
    if role == "anonymous":
        assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", ["enterprise", "staff", "reporter"])
@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_admin_actions_are_refused_to_everyone_but_managers(client, login_as, users, ids, role, action):
    login_as(users[role])
    response = client.submit(action.format(**ids), {"reason": "x", "invite-email": "n@x.cn",
                                                    "invite-display_name": "N"})
    assert response.status_code == 403


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_admin_actions_send_anonymous_visitors_to_login(client, ids, action):
    response = client.submit(action.format(**ids), {"reason": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(SIGNED_IN_PAGES))
def test_signed_in_pages(client, login_as, users, role, page):
    response = open_as(client, login_as, users, role).get(page)
    if role == "anonymous":
        assert response.status_code == 302
    elif role in SIGNED_IN_PAGES[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == 404  # a center account has no enterprise page to find


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_open_for_everyone(client, login_as, users, role, page):
    response = open_as(client, login_as, users, role).get(page)
    assert response.status_code in (200, 302)


def test_enterprise_pages_show_only_their_own_organisation(client, login_as, users):
    login_as(users["enterprise"])
    page = client.get("/organisation").get_data(as_text=True)
    assert users["enterprise"].organisation.name_zh in page
    assert users["other_enterprise"].organisation.name_zh not in page
    assert client.get(f"/admin/organisations/{users['other_enterprise'].organisation_id}").status_code == 403


def test_denials_are_logged(client, login_as, users, ids, caplog):
    login_as(users["staff"])
    with caplog.at_level(logging.WARNING):
        client.get("/admin/users/")
    assert any("permission denied" in record.getMessage() and "admin.users" in record.getMessage()
               for record in caplog.records)


def test_denial_answers_json_to_json_clients(client, login_as, users):
    login_as(users["staff"])
    response = client.get("/admin/users/", headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.get_json()["error"] == 403


def test_navigation_shows_administration_only_to_managers(client, login_as, users):
    login_as(users["staff"])
    assert "/admin/users/" not in client.get("/").get_data(as_text=True)
    client.submit("/logout", page="/")
    login_as(users["manager"])
    assert "/admin/users/" in client.get("/").get_data(as_text=True)
