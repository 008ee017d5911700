"""Forgotten passwords: an emailed link that expires and works once."""
from ipcenter.accounts.models import Role
from tests.conftest import PASSWORD, link_in, links_checked_later, make_user

NEW_PASSWORD = "Brighter-lamp-77"


def ask_for_reset(client, email):
    return client.submit("/password/forgot", {"email": email}, follow_redirects=True)


def test_reset_link_is_emailed_and_sets_a_new_password(client, mailbox):
    user = make_user(Role.ENTERPRISE)
    response = ask_for_reset(client, user.email)
    assert "a reset link is on its way" in response.get_data(as_text=True)
    [message] = mailbox()
    assert message["To"] == user.email
    path = link_in(message)
    assert client.get(path).status_code == 200
    response = client.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # logged in straight away
    client.submit("/logout", page="/")
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 200
    assert client.submit("/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_reset_link_works_only_once(client, mailbox):
    user = make_user(Role.STAFF)
    ask_for_reset(client, user.email)
    path = link_in(mailbox()[0])
    client.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client.submit("/logout", page="/")
    again = client.get(path)
    assert again.status_code == 400
    assert "This link is not valid" in again.get_data(as_text=True)


def test_reset_link_expires(app, client, mailbox, monkeypatch):
    user = make_user(Role.STAFF)
    ask_for_reset(client, user.email)
    path = link_in(mailbox()[0])
    links_checked_later(monkeypatch, app.config["PASSWORD_RESET_MAX_AGE"] + 1)
    assert client.get(path).status_code == 400


def test_tampered_reset_link_is_refused(client, mailbox):
    user = make_user(Role.STAFF)
    ask_for_reset(client, user.email)
    path = link_in(mailbox()[0])
    assert client.get(path[:-3] + "abc").status_code == 400


def test_unknown_email_gets_the_same_answer_and_no_mail(client, mailbox):
    response = ask_for_reset(client, "nobody@example.cn")
    assert "a reset link is on its way" in response.get_data(as_text=True)
    assert mailbox() == []


def test_reset_ends_sessions_elsewhere(app, client, mailbox, login_as):
    user = make_user(Role.STAFF)
    other_device = app.test_client()
    other_device.submit("/login", {"email": user.email, "password": PASSWORD})
    ask_for_reset(client, user.email)
    client.submit(link_in(mailbox()[0]), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other_device.get("/account").status_code == 302


def test_reset_refuses_weak_or_mismatched_passwords(client, mailbox):
    user = make_user(Role.STAFF)
    ask_for_reset(client, user.email)
    path = link_in(mailbox()[0])
    for password, confirm, message in [
        ("Lamp-2026", "Lamp-2026", "Use at least 12 characters."),
        ("qwertyuiop123", "qwertyuiop123", "list of common or leaked passwords"),
        ("Brighter-lamp-77", "Brighter-lamp-78", "The two passwords differ."),
    ]:
        response = client.submit(path, {"password": password, "confirm": confirm})
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert client.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_the_password_rule_refuses_short_and_leaked_passwords_and_keeps_ours():
    from ipcenter.accounts.operations import password_problems

    assert password_problems(PASSWORD) == [] and password_problems("Demo-2026-guzhen") == []
    assert [str(p) for p in password_problems("Lamp-2026")] == ["Use at least 12 characters."]
    for leaked in ("iloveyou1234", "Password1234", "1qaz2wsx3edc"):
        assert "list of common or leaked passwords" in str(password_problems(leaked)[0])
    assert "email name" in str(password_problems("liangxiaojie-2026", "liangxiaojie@xinguang.cn")[0])
