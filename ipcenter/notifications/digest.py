"""The daily digest: one email a day to each user with notifications left for it (the groups they put on the
digest), sent at DIGEST_HOUR in the center's time by `flask notifications digest` (cron) or the mail worker.

A user's digest is taken at most once per day (from one DIGEST_HOUR to the next), however often and by however
many processes it is run: the first to move the user's `DigestSent` time past the day's digest time takes it,
in the same transaction as the email and the notifications it lists.
"""
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..calendar import CENTER_ZONE
from ..database import rowcount, utcnow
from ..extensions import db
from ..i18n import local_time
from ..mail import external_url, queue_mail
from .models import DigestSent, Notification
from .operations import notification_target
from .signals import additions_for


def latest_digest_time(now: datetime | None = None) -> datetime:
    """The most recent DIGEST_HOUR in the center's time, at or before `now` (UTC)."""
    here = (now or utcnow()).astimezone(CENTER_ZONE)
    today = here.replace(hour=current_app.config["DIGEST_HOUR"], minute=0, second=0, microsecond=0)
    return (today if here >= today else today - timedelta(days=1)).astimezone(UTC)


def next_digest_time(now: datetime | None = None) -> datetime:
    return latest_digest_time(now) + timedelta(days=1)


def send_digests() -> int:
    """Take the day's digest of every user who has notifications left for it and has not had it yet; the
    number of emails written (committed, one user at a time)."""
    now = utcnow()
    due = latest_digest_time(now)
    waiting = list(db.session.scalars(
        select(Notification.user_id).distinct().outerjoin(DigestSent, DigestSent.user_id == Notification.user_id)
        .where(Notification.awaiting_digest, or_(DigestSent.sent_at.is_(None), DigestSent.sent_at < due))
        .order_by(Notification.user_id)))
    db.session.commit()  # each user's transaction starts with its claim: on SQLite, a write that waits its turn
    sent = 0
    for user_id in waiting:
        if _claim(user_id, due, now):
            sent += _send_digest(db.session.get_one(User, user_id))
        db.session.commit()
    return sent


def _claim(user_id: int, due: datetime, now: datetime) -> bool:
    """Record the user's digest as taken now, unless it was taken since `due` (by another run)."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    if rowcount(db.session.execute(insert(DigestSent).values(user_id=user_id, sent_at=now)
                                   .on_conflict_do_nothing(index_elements=["user_id"]))):
        return True
    return rowcount(db.session.execute(
        update(DigestSent).where(DigestSent.user_id == user_id, DigestSent.sent_at < due).values(sent_at=now)
        .execution_options(synchronize_session=False))) == 1


def _send_digest(user: User) -> int:
    """Write the user's digest of what was left for it, and leave those notifications no longer; 1 if written.

    Only the notifications still unread are listed: one read in the app has told its news already, and a digest
    that repeated it would teach its reader to skip the digest. A user who may no longer be mailed (deactivated
    since, or invited but never in) gets nothing, as `notify` would have sent nothing."""
    held = list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.awaiting_digest)
        .order_by(Notification.created_at, Notification.id)
        .options(selectinload(Notification.case), selectinload(Notification.actor),
                 selectinload(Notification.event))))
    db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in held]))
                       .values(awaiting_digest=False).execution_options(synchronize_session=False))
    unread = [notification for notification in held if notification.read_at is None]
    if not unread or not user.active or user.invitation_pending:
        return 0
    with force_locale(user.language):
        items = [{"time": local_time(notification.created_at, "short"), "message": notification.message,
                  "excerpt": notification.excerpt, "link": external_url(**notification_target(notification)),
                  "additions": additions_for(notification, user)}
                 for notification in unread]
        subject = ngettext("Your daily digest: %(num)d notification", "Your daily digest: %(num)d notifications",
                           len(unread))
    queue_mail(user.email, subject, "digest", language=user.language, items=items,
               inbox=external_url("notifications.inbox"), settings=external_url("notifications.settings"))
    return 1
