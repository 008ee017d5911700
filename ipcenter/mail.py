"""Outgoing email through an outbox: SMTP when configured, otherwise .eml files in the mail folder.

A message is written to the outbox in the same transaction as the change it reports,
and sent after that transaction commits: a rolled-back change mails nobody, and a
mail failure never breaks a request. Failed messages are retried with growing pauses
by `flask mail retry` (run it from cron); the body of a sent message is not kept,
since it may hold a password-reset link.
"""
import smtplib
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from flask import current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, utcnow
from .extensions import db
from .i18n import center_name

MAX_ATTEMPTS = 8


class OutgoingMail(db.Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    sender_name: Mapped[Optional[str]] = mapped_column(String(200))  # the center, in the recipient's language
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a message or document that leaves the app.

    Always built on BASE_URL, never on the request: a forged Host header must not
    put an attacker's address into a password-reset link.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


@contextmanager
def mail_suppressed():
    """Nobody is emailed about what happens inside (demo data, bulk imports)."""
    g.suppress_mail = True
    try:
        yield
    finally:
        g.pop("suppress_mail", None)


def queue_mail(recipient: str, subject: str, template: str, language: str = "zh", **context) -> None:
    if g.get("suppress_mail"):
        return
    with force_locale(language):
        body = render_template(f"emails/{template}.txt", **context)
        subject = str(subject)
    message = OutgoingMail(recipient=recipient, subject=subject[:300], body=body, sender_name=center_name(language),
                           next_attempt_at=utcnow())
    db.session.add(message)
    g.setdefault("outgoing_mail", []).append(message)


def deliver_queued_mail() -> None:
    """Send what this request queued; called after its commit."""
    messages = g.pop("outgoing_mail", [])
    for message in messages:
        _attempt(message)
    if messages:
        db.session.commit()


def discard_queued_mail() -> None:
    g.pop("outgoing_mail", None)  # the rows go with the rolled-back transaction


def retry_pending_mail(now: datetime | None = None) -> tuple[int, int]:
    """Try again every unsent message whose pause is over; (sent, still failing)."""
    now = now or utcnow()
    pending = db.session.scalars(select(OutgoingMail).where(
        OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS,
        OutgoingMail.next_attempt_at <= now).order_by(OutgoingMail.id)).all()
    sent = sum(_attempt(message) for message in pending)
    db.session.commit()
    return sent, len(pending) - sent


def _attempt(message: OutgoingMail) -> bool:
    message.attempts += 1
    try:
        _deliver(_email(message))
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.exception("mail to %s failed (attempt %s)", message.recipient, message.attempts)
        message.last_error = str(error)[:500]
        message.next_attempt_at = utcnow() + timedelta(minutes=2 ** message.attempts)
        return False
    message.sent_at = utcnow()
    message.body = ""
    message.last_error = None
    return True


def _email(message: OutgoingMail) -> EmailMessage:
    email = EmailMessage()
    sender = current_app.config["MAIL_SENDER"]
    # A configured "Name <address>" wins; a bare address gets the center's name.
    email["From"] = sender if "<" in sender or not message.sender_name else formataddr((message.sender_name, sender))
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<{uuid.uuid4()}@ipcenter>"
    email.set_content(message.body)
    return email


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_to_folder(message, Path(config["MAIL_FOLDER"]))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_to_folder(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(message.as_bytes())
