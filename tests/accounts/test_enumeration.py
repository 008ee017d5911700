"""Nobody learns whether an account exists: registration, password reset and login answer alike,
with the same status, and spend the same password-hashing work."""
import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.organisations.models import Organisation
from tests.conftest import make_user
from tests.organisations.test_registration import registration


def answer(response, email: str):
    """What the visitor sees, less the form token and the address they typed."""
    page = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", response.get_data(as_text=True))
    return response.status_code, response.headers.get("Location"), page.replace(email, "EMAIL")


@pytest.fixture
def hashing_work(monkeypatch):
    """How many times a password was hashed or checked."""
    calls = []
    for method in ("hash", "verify"):
        original = getattr(PasswordHasher, method)
        monkeypatch.setattr(PasswordHasher, method,
                            lambda self, *args, _original=original, **kwargs: calls.append(1) or _original(
                                self, *args, **kwargs))
    return calls


def test_registering_an_email_that_has_an_account_looks_like_any_registration(app, client, mailbox):
    owner = make_user(Role.STAFF, email="he@guzhen-lamps.cn")
    new = client.submit("/register", registration(email="new@guzhen-lamps.cn"), follow_redirects=True)
    taken = client.submit("/register", registration(email=owner.email.upper()), follow_redirects=True)
    assert answer(taken, owner.email.upper()) == answer(new, "new@guzhen-lamps.cn")
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
    [warning] = [m for m in mailbox() if m["To"] == owner.email]
    assert warning["Subject"] == "Someone tried to register with your email address"
    assert "/password/forgot" in warning.get_content()


def test_password_reset_answers_alike(client, mailbox):
    user = make_user(Role.STAFF, email="known@guzhen-lamps.cn")
    known = client.submit("/password/forgot", {"email": user.email}, follow_redirects=True)
    unknown = client.submit("/password/forgot", {"email": "unknown@guzhen-lamps.cn"}, follow_redirects=True)
    assert answer(known, user.email) == answer(unknown, "unknown@guzhen-lamps.cn")


def test_login_answers_alike_and_hashes_as_much_for_every_kind_of_account(client, hashing_work):
    active = make_user(Role.STAFF, email="active@guzhen-lamps.cn")
    invited = make_user(Role.STAFF, email="invited@guzhen-lamps.cn")
    invited.password_hash = None  # has not accepted the invitation yet
    db.session.commit()
    answers = []
    for email in (active.email, invited.email, "nobody@guzhen-lamps.cn"):
        hashing_work.clear()
        response = client.submit("/login", {"email": email, "password": "Wrong-password-2026"})
        answers.append(answer(response, email))
        assert len(hashing_work) == 1, email
    assert answers[0][0] == 200 and answers[0] == answers[1] == answers[2]
