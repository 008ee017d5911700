"""A self-registered enterprise user confirms the email by an emailed single-use link before logging in."""
from sqlalchemy import select

from ipcenter.accounts.models import User
from ipcenter.extensions import db
from tests.conftest import link_in, links_checked_later
from tests.organisations.test_registration import registration

PASSWORD = "Xinguang-2026"


def register(client):
    return client.submit("/register", registration())


def confirmation_links(mailbox) -> list[str]:
    return [link_in(message) for message in mailbox() if message["Subject"] == "Confirm your email address"]


def log_in(client):
    return client.submit("/login", {"email": "liang@xinguang.cn", "password": PASSWORD})


def test_an_unconfirmed_user_is_told_to_confirm_and_offered_a_new_link(client, mailbox):
    register(client)
    response = log_in(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Confirm your email address first" in page
    assert 'id="resend-form"' in page and client.get("/organisation").status_code == 302

    resent = client.submit("/email/confirm", {"email": "liang@xinguang.cn"}, page="/login", follow_redirects=True)
    assert "a new link is on its way" in resent.get_data(as_text=True)
    first, second = confirmation_links(mailbox)
    assert "Thank you: liang@xinguang.cn is confirmed." in client.get(second, follow_redirects=True).get_data(
        as_text=True)
    assert log_in(client).status_code == 302


def test_the_confirmation_link_works_once(client, mailbox):
    register(client)
    [link] = confirmation_links(mailbox)
    assert client.get(link).status_code == 302
    again = client.get(link)
    assert again.status_code == 400 and "This link is not valid" in again.get_data(as_text=True)


def test_the_confirmation_link_expires(app, client, mailbox, monkeypatch):
    register(client)
    [link] = confirmation_links(mailbox)
    links_checked_later(monkeypatch, app.config["EMAIL_VERIFICATION_MAX_AGE"] + 1)
    assert client.get(link).status_code == 400
    assert not db.session.scalar(select(User.email_verified).where(User.email == "liang@xinguang.cn"))


def test_a_new_link_is_sent_only_to_an_account_awaiting_one(client, users, mailbox):
    for email in (users["staff"].email, "nobody@example.cn"):
        response = client.submit("/email/confirm", {"email": email}, page="/login", follow_redirects=True)
        assert "If that address still awaits confirmation" in response.get_data(as_text=True)
    assert mailbox() == []


def test_a_password_reset_link_also_proves_the_address(client, mailbox):
    register(client)
    client.submit("/password/forgot", {"email": "liang@xinguang.cn"})
    [reset] = [m for m in mailbox() if "Reset" in m["Subject"]]
    response = client.submit(link_in(reset), {"password": "Brighter-lamp-77", "confirm": "Brighter-lamp-77"})
    assert response.status_code == 302 and client.get("/organisation").status_code == 200
