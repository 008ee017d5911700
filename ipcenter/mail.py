"""Outgoing email through an outbox: SMTP when configured, otherwise .eml files in the mail folder.

A message is written to the outbox in the same transaction as the change it reports: a
rolled-back change mails nobody. A request never talks to a mail server (one that hangs
would hold the answer, and on SQLite the write lock with it): the worker (worker.py) claims
the due messages in batches, sends each batch over one SMTP connection (a new one if it is
lost) and pauses a failed message twice as long after each attempt; a message that fails
fails alone. A claim is one UPDATE over a `FOR UPDATE SKIP LOCKED` selection (on SQLite,
where one writer holds the database at a time, the statement alone is atomic), so two
workers never send the same message; it lapses after MAIL_CLAIM_SECONDS, so the batch of a
worker that died is sent by another. It is renewed for each message just before it is sent,
and a message another worker took over meanwhile is left to that worker.

Without MAIL_SERVER the mail folder is local disk: the request writes its own messages there
right after its commit, so a newcomer sees mail appear at once. The body of a sent message
is not kept, since it may hold a password-reset link.
"""
import smtplib
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, rowcount, utcnow
from .extensions import Model, db
from .i18n import center_name


class OutgoingMail(Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    sender_name: Mapped[str | None] = mapped_column(String(200))  # the center, in the recipient's language
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the batch sending it now
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass
class MailCount:
    sent: int = 0
    failed: int = 0


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


def write_queued_mail() -> None:
    """Without a mail server, write what this request queued to the mail folder; called after its commit."""
    messages = g.pop("outgoing_mail", [])
    if messages and not current_app.config["MAIL_SERVER"]:
        claim = _claim(OutgoingMail.id.in_([message.id for message in messages]))
        if claim:
            _send_claimed(claim)


def discard_queued_mail() -> None:
    g.pop("outgoing_mail", None)  # the rows go with the rolled-back transaction


def send_due_mail(stop: threading.Event | None = None) -> MailCount:
    """One pass over the outbox: every message due now, a batch at a time in id order, until none is
    left or `stop` is set (the batch under way is finished first)."""
    count, after = MailCount(), 0
    while not (stop and stop.is_set()):
        claim = _claim(OutgoingMail.id > after, limit=current_app.config["MAIL_BATCH_SIZE"])
        if claim is None:
            return count
        after, sent, failed = _send_claimed(claim)
        count.sent, count.failed = count.sent + sent, count.failed + failed
    return count


def _claim(*conditions, limit: int | None = None) -> str | None:
    """Take the due, unclaimed messages that meet `conditions` for a new batch; its name, or None if none."""
    now, claim = utcnow(), uuid.uuid4().hex
    due = (select(OutgoingMail.id)
           .where(*conditions, OutgoingMail.sent_at.is_(None), OutgoingMail.next_attempt_at <= now,
                  OutgoingMail.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
                  or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
           .order_by(OutgoingMail.id).limit(limit).with_for_update(skip_locked=True))
    claimed = db.session.scalars(
        update(OutgoingMail).where(OutgoingMail.id.in_(due))
        .values(claimed_by=claim, claimed_until=now + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"]))
        .returning(OutgoingMail.id).execution_options(synchronize_session=False)).all()
    db.session.commit()
    return claim if claimed else None


def _send_claimed(claim: str) -> tuple[int, int, int]:
    """Send a claimed batch over one connection and record each outcome at once; (last id, sent, failed)."""
    waiting = deque(db.session.execute(select(OutgoingMail.__table__).where(OutgoingMail.claimed_by == claim)
                                       .order_by(OutgoingMail.id)).all())
    last, count = waiting[-1].id, MailCount()
    while waiting:  # a new connection after one was lost
        try:
            with mail_transport() as send:
                while waiting and _send_one(send, claim, waiting.popleft(), count):
                    pass
        except OSError as error:  # no server to talk to: what was not sent waits its turn
            while waiting:
                _record_failure(claim, waiting.popleft(), error)
                count.failed += 1
    return last, count.sent, count.failed


def _send_one(send: Callable[[EmailMessage], object], claim: str, message, count: MailCount) -> bool:
    """Send one message of the batch, unless another worker took it over; whether the connection still serves.

    Whatever else goes wrong (the server refuses it or cannot take its address, a header cannot be
    written) fails this message alone: the rest of the batch goes on."""
    if not _hold(claim, message.id):
        return True
    try:
        send(_email(message))
    except Exception as error:
        _record_failure(claim, message, error)
        count.failed += 1
        return not isinstance(error, smtplib.SMTPServerDisconnected)
    _record(claim, message.id, message.attempts, sent_at=utcnow(), body="", last_error=None)
    count.sent += 1
    return True


def _hold(claim: str, message_id: int) -> bool:
    """Renew the batch's claim on the message it sends next; False if the claim lapsed and another worker
    took the message over (it sends it: sent here too, it would go out twice)."""
    held = db.session.execute(
        update(OutgoingMail).where(OutgoingMail.id == message_id, OutgoingMail.claimed_by == claim)
        .values(claimed_until=utcnow() + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"]))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return rowcount(held) == 1


def _record_failure(claim: str, message, error: Exception) -> None:
    current_app.logger.warning("mail to %s failed (attempt %s): %s", message.recipient, message.attempts + 1, error)
    pause = timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"] * 2 ** message.attempts)
    _record(claim, message.id, message.attempts, last_error=str(error)[:500] or type(error).__name__,
            next_attempt_at=utcnow() + pause)


def _record(claim: str, message_id: int, attempts: int, **outcome) -> None:
    """Release one message of the batch with its outcome, committed at once: a crash later resends nothing."""
    released = db.session.execute(
        update(OutgoingMail).where(OutgoingMail.id == message_id, OutgoingMail.claimed_by == claim)
        .values(attempts=attempts + 1, claimed_by=None, claimed_until=None, **outcome)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if rowcount(released) != 1:  # another worker took it over: it may go out twice
        current_app.logger.error("the claim on mail %s lapsed while it was sent; raise MAIL_CLAIM_SECONDS",
                                 message_id)


def _email(message) -> EmailMessage:
    """The email for a row of the outbox."""
    email = EmailMessage()
    sender = current_app.config["MAIL_SENDER"]
    # A configured "Name <address>" wins; a bare address gets the center's name.
    email["From"] = sender if "<" in sender or not message.sender_name else formataddr((message.sender_name, sender))
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<{uuid.uuid4()}@ipcenter>"
    email.set_content(message.body)
    return email


@contextmanager
def mail_transport() -> Iterator[Callable[[EmailMessage], object]]:
    """One SMTP connection for a whole batch; without MAIL_SERVER, the mail folder."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        folder = Path(config["MAIL_FOLDER"])
        yield lambda message: _write_to_folder(message, folder)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield smtp.send_message


def _write_to_folder(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(message.as_bytes())
