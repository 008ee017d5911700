"""The center of the case tests (posts, staff, enterprises, a unit), and how its people set their notifications."""
from datetime import datetime

import pytest
from sqlalchemy import select

from ipcenter.extensions import db
from ipcenter.mail import OutgoingMail
from ipcenter.notifications import digest
from tests.cases.conftest import center  # noqa: F401  (the fixture)


def mail_to(user, subject: str = "") -> list[str]:
    """The subjects of the messages written to `user` (sent or waiting), oldest first; those that hold `subject`.
    (A sent message keeps no body: read bodies in the mailbox.)"""
    return [message.subject for message in db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.recipient == user.email).order_by(OutgoingMail.id))
            if subject in message.subject]


@pytest.fixture
def choose(client, login_as):
    """Log in as `user` and save these choices on the settings page (group code: Delivery), then log out."""

    def save(user, **choices):
        login_as(user)
        response = client.submit("/notifications/settings", {code: int(value) for code, value in choices.items()})
        assert response.status_code == 302, response.get_data(as_text=True)
        client.submit("/logout", page="/")

    return save


@pytest.fixture
def clock(monkeypatch):
    """Set the digest's clock to a time (UTC)."""

    def set_to(now: datetime) -> None:
        monkeypatch.setattr(digest, "utcnow", lambda: now)

    return set_to
