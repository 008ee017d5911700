"""Telling people what happened: an inbox entry, and an email at once or in the daily digest as each chose."""
from collections.abc import Callable

from flask_babel import force_locale
from sqlalchemy import func, select, update

from ..database import utcnow
from ..extensions import db
from ..mail import external_url, queue_mail
from .models import (
    DEFAULT_DELIVERY,
    GROUP_OF_KIND,
    ORGANISATION_KINDS,
    Delivery,
    Notification,
    NotificationSetting,
    groups_heard_by,
)
from .signals import additions_for

MailSender = Callable[..., None]  # (user, notification): the email that tells the user


def notify(recipients, kind: str, case=None, event=None, actor=None,
           mail_with: MailSender | None = None) -> list[Notification]:
    """Notify each active recipient once (never the actor), in the app; by email as each chose for the kind's
    group: at once (after the commit; `mail_with` writes the caller's own email instead), or left for the daily
    digest. A user still to accept an invitation gets no email."""
    users, seen = [], set()
    for user in recipients:
        if user is None or user.id in seen or not user.active or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        users.append(user)
    chosen = deliveries(users, GROUP_OF_KIND[kind])
    sent = []
    for user in users:
        notification = Notification(user=user, kind=kind, case=case, event=event, actor=actor)
        db.session.add(notification)
        sent.append(notification)
        if user.invitation_pending:
            continue
        if chosen[user.id] == Delivery.DIGEST:
            notification.awaiting_digest = True
        elif chosen[user.id] == Delivery.AT_ONCE:
            (mail_with or _mail)(user, notification)
    return sent


def deliveries(users, group: str) -> dict[int, Delivery]:
    """How each of `users` hears of the group's events (one query for all of them)."""
    chosen = _chosen(NotificationSetting.user_id, NotificationSetting.event_group == group,
                     NotificationSetting.user_id.in_([user.id for user in users])) if users else {}
    return {user.id: chosen.get(user.id, DEFAULT_DELIVERY) for user in users}


def delivery_choices(user) -> dict[str, Delivery]:
    """The user's choice for each group of events their role hears of."""
    chosen = _chosen(NotificationSetting.event_group, NotificationSetting.user_id == user.id)
    return {group.code: chosen.get(group.code, DEFAULT_DELIVERY) for group in groups_heard_by(user.role)}


def _chosen(key, *conditions) -> dict:
    """The choices made, by `key` (a user's id or a group's code), among the settings that meet `conditions`."""
    rows = db.session.execute(select(key, NotificationSetting.delivery).where(*conditions))
    return {row[0]: row[1] for row in rows}


def choose_deliveries(user, choices: dict[str, Delivery]) -> None:
    """Keep the user's choices for the groups their role hears of (others are not theirs to choose)."""
    for group in groups_heard_by(user.role):
        if group.code not in choices:
            continue
        setting = db.session.get(NotificationSetting, (user.id, group.code))
        if setting is None:
            db.session.add(NotificationSetting(user_id=user.id, event_group=group.code, delivery=choices[group.code]))
        else:
            setting.delivery = choices[group.code]
    db.session.flush()


def _mail(user, notification: Notification) -> None:
    with force_locale(user.language):
        message = notification.message
        additions = additions_for(notification, user)
    queue_mail(user.email, message, "notification", language=user.language, message=message,
               excerpt=notification.excerpt, link=external_url(**notification_target(notification)),
               additions=additions)


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
