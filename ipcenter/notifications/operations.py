"""Telling people what happened: an inbox entry and an email for each."""
from flask_babel import force_locale
from sqlalchemy import func, select, update

from ..database import utcnow
from ..extensions import db
from ..mail import external_url, queue_mail
from .models import ORGANISATION_KINDS, Notification


def notify(recipients, kind: str, case=None, event=None, actor=None, mail: bool = True) -> list[Notification]:
    """Notify each active recipient once (never the actor); mail (unless the caller sends its own) goes out
    after the commit."""
    sent, seen = [], set()
    for user in recipients:
        if user is None or user.id in seen or not user.active or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        notification = Notification(user=user, kind=kind, case=case, event=event, actor=actor)
        db.session.add(notification)
        sent.append(notification)
        if mail and not user.invitation_pending:
            _mail(user, notification)
    return sent


def _mail(user, notification: Notification) -> None:
    with force_locale(user.language):
        message = notification.message
    queue_mail(user.email, message, "notification", language=user.language, message=message,
               excerpt=notification.excerpt, link=external_url(**notification_target(notification)))


def notification_target(notification: Notification) -> dict:
    """Where a notification leads (`url_for`'s arguments): its case, the user's enterprise, or the inbox."""
    if notification.case is not None:
        return {"endpoint": "cases.show", "reference": notification.case.reference}
    if notification.kind in ORGANISATION_KINDS:
        return {"endpoint": "organisations.my_organisation"}
    return {"endpoint": "notifications.inbox"}


def unread_count(user) -> int:
    return db.session.execute(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def unread_notifications() -> int:
    """For the navigation bar: the signed-in user's unread count."""
    from flask_login import current_user

    return unread_count(current_user) if current_user and current_user.is_authenticated else 0


def mark_read(user, notification_ids=None) -> None:
    """Mark some (or, with None, all) of the user's notifications read."""
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(notification_ids))
    db.session.execute(statement.values(read_at=utcnow()))
