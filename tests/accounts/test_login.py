"""Logging in and out, sessions that end everywhere, changing the password."""
from sqlalchemy import select

from ipcenter.accounts.models import Role, User
from ipcenter.extensions import db
from tests.conftest import PASSWORD, make_user


def test_login_with_the_right_password_lands_on_the_dashboard(client, users):
    response = client.submit("/login", {"email": users["staff"].email.upper(), "password": PASSWORD},
                             follow_redirects=True)
    assert "Welcome, " + users["staff"].display_name in response.get_data(as_text=True)


def test_login_with_a_wrong_password_is_refused_beside_the_field(client, users):
    response = client.submit("/login", {"email": users["staff"].email, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_login_of_an_unknown_email_gives_the_same_answer(client, users):
    response = client.submit("/login", {"email": "nobody@example.cn", "password": PASSWORD})
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, users):
    users["staff"].active = False
    response = client.submit("/login", {"email": users["staff"].email, "password": PASSWORD})
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_login_follows_only_same_site_next_links(client, users):
    response = client.submit("/login?next=/account", {"email": users["staff"].email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/account")
    client.submit("/logout", page="/")
    response = client.submit("/login?next=https://evil.example/x", {"email": users["staff"].email,
                                                                    "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_login_renews_the_session(app, client, users):
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    client.submit("/login", {"email": users["staff"].email, "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["_user_id"].startswith(f"{users['staff'].id}:")


def test_session_cookie_is_httponly_and_lax(client, users):
    response = client.submit("/login", {"email": users["staff"].email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_every_copy_of_the_session(app, login_as, client, users):
    login_as(users["staff"])
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session", domain="ipcenter.test").value, domain="ipcenter.test")
    assert copied.get("/account").status_code == 200
    client.submit("/logout", page="/")
    assert client.get("/account").status_code == 302
    assert copied.get("/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, login_as, client, users):
    login_as(users["staff"])
    other_device = app.test_client()
    other_device.submit("/login", {"email": users["staff"].email, "password": PASSWORD})
    response = client.submit("/account/password", {"current_password": PASSWORD, "password": "New-lamp-2027x",
                                                    "confirm": "New-lamp-2027x"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    assert client.submit("/logout", page="/").status_code == 302
    assert client.submit("/login", {"email": users["staff"].email, "password": "New-lamp-2027x"}).status_code == 302


def test_password_change_needs_the_current_password_and_a_strong_new_one(login_as, client, users):
    login_as(users["staff"])
    wrong = client.submit("/account/password", {"current_password": "not-it-123", "password": "New-lamp-2027x",
                                                "confirm": "New-lamp-2027x"})
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    weak = client.submit("/account/password", {"current_password": PASSWORD, "password": "short1",
                                               "confirm": "short1"})
    assert "Use at least 12 characters." in weak.get_data(as_text=True)
    stored = db.session.scalar(select(User).where(User.email == users["staff"].email))
    assert client.submit("/logout", page="/").status_code == 302
    assert client.submit("/login", {"email": stored.email, "password": PASSWORD}).status_code == 302


def test_logout_needs_a_post_with_a_csrf_token(login_as, client, users):
    login_as(users["staff"])
    assert client.get("/logout").status_code == 405
    response = client.post("/logout", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 200


def test_profile_saves_name_and_language(login_as, client):
    user = make_user(Role.STAFF)
    login_as(user)
    response = client.submit("/account", {"display_name": "新名字", "language": "zh"}, follow_redirects=True)
    assert "我的账户" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).display_name == "新名字"
