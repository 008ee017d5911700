"""In-app notifications: what happened, for whom, read or not; how each user hears of each group of events."""
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Role
from ..database import IntEnum, LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import Model
from ..i18n import localized_name

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cases.models import Case, CaseEvent

# What each kind of notification says, as news. %(actor)s is who acted; %(case)s the case's reference and
# title; a workflow action says itself (`Transition.news`).
MESSAGES = {
    "case_submitted": _l("%(actor)s submitted a new request: %(case)s."),
    "entered_queue": _l("%(news)s It is now in your post's queue: %(stage)s."),
    "stage_changed": _l("%(news)s"),
    "correction_requested": _l("%(news)s"),  # kept for notifications sent before the news wording
    "assigned": _l("%(actor)s assigned %(case)s to you."),
    "delegated": _l("%(actor)s delegated %(case)s to %(unit)s."),
    "delegation_ended": _l("The delegation of %(case)s to %(unit)s has ended."),
    "unit_report": _l("%(actor)s reported progress on %(case)s: %(percent)s%% done."),
    "due_soon": _l("%(case)s is due within one working day."),
    "overdue": _l("%(case)s is overdue."),
    "escalated": _l("%(case)s is overdue and has been escalated to the managers."),
    "organisation_recorded": _l("%(actor)s recorded %(organisation)s with the center: the fast "
                                "pre-examination channel is open to it."),
    "organisation_rejected": _l("%(actor)s did not record %(organisation)s; the reason is on its page."),
    "organisation_suspended": _l("%(actor)s suspended the record of %(organisation)s; the reason is on its page."),
    "organisation_reinstated": _l("%(actor)s reinstated the record of %(organisation)s."),
}
# Kinds about the user's enterprise rather than a case: they open the enterprise's page.
ORGANISATION_KINDS = {kind for kind in MESSAGES if kind.startswith("organisation_")}


class Delivery(LabelledEnum):
    """How a user hears of a group of events besides the inbox, which always has them."""

    IN_APP = 1, _l("In the app only")
    AT_ONCE = 2, _l("Email at once")
    DIGEST = 3, _l("Daily digest email")


DEFAULT_DELIVERY = Delivery.AT_ONCE  # what a user who never chose gets: an email for each notification
CENTER = frozenset({Role.STAFF, Role.MANAGER})


@dataclass(frozen=True)
class EventGroup:
    """Kinds of notification a user chooses for together, and the roles that ever receive them (who else
    would only be puzzled by the choice)."""

    code: str
    label: object  # a lazy string
    kinds: tuple[str, ...]
    audience: frozenset[Role]


EVENT_GROUPS = (
    EventGroup("new_work", _l("A request was submitted or a case entered my post's queue"),
               ("case_submitted", "entered_queue"), CENTER),
    EventGroup("stage_changed", _l("A case moved to another stage"), ("stage_changed", "correction_requested"),
               CENTER | {Role.ENTERPRISE}),
    EventGroup("assigned", _l("A case was assigned to me"), ("assigned",), CENTER),
    EventGroup("delegation", _l("A case was delegated to my unit, or its delegation ended"),
               ("delegated", "delegation_ended"), frozenset({Role.UNIT_REPORTER})),
    EventGroup("unit_reports", _l("A demonstration unit reported progress"), ("unit_report",), CENTER),
    EventGroup("deadlines", _l("A case is due soon, overdue or escalated"), ("due_soon", "overdue", "escalated"),
               CENTER),
    EventGroup("enterprise_record", _l("My enterprise's record was decided"), tuple(sorted(ORGANISATION_KINDS)),
               frozenset({Role.ENTERPRISE})),
)
GROUP_OF_KIND = {kind: group.code for group in EVENT_GROUPS for kind in group.kinds}


def groups_heard_by(role: Role) -> list[EventGroup]:
    return [group for group in EVENT_GROUPS if role in group.audience]


class NotificationSetting(Model):
    """A user's choice for a group of events; without a row the user gets DEFAULT_DELIVERY."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        CheckConstraint(enum_check("delivery", Delivery), name="delivery_known"),
        CheckConstraint("event_group IN ({})".format(", ".join(f"'{group.code}'" for group in EVENT_GROUPS)),
                        name="event_group_known"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    event_group: Mapped[str] = mapped_column(String(30), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(IntEnum(Delivery))


class DigestSent(Model):
    """When a user's last daily digest was taken: at most one a day, however often the command runs."""

    __tablename__ = "notification_digests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_inbox", "user_id", "read_at", "id"),
        # Written as each engine writes `Notification.awaiting_digest` in a query, or its planner skips the index.
        Index("ix_notifications_awaiting_digest", "user_id", postgresql_where=text("awaiting_digest"),
              sqlite_where=text("awaiting_digest = 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Left for the user's next daily digest (the kind's group is on the digest); cleared when the digest is taken.
    awaiting_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    actor: Mapped[Optional["User"]] = relationship(foreign_keys=[actor_id])
    case: Mapped[Optional["Case"]] = relationship()
    event: Mapped[Optional["CaseEvent"]] = relationship()

    @property
    def message(self) -> str:
        """One line of news, in the current language."""
        case, event = self.case, self.event
        values: dict[str, object] = {
            "actor": self.actor.display_name if self.actor else "", "news": "", "stage": "", "unit": "",
            "percent": "", "detail": "", "organisation": "",
            "case": str(_l("%(reference)s “%(title)s”", reference=case.reference, title=case.title)) if case else ""}
        if event is not None:
            workflow = event.case.workflow  # an event's case is the notification's
            values.update(detail=event.detail or "", percent=event.percent,
                          unit=localized_name(event.unit) if event.unit else "",
                          stage=workflow.stage(event.to_stage).name if event.to_stage else "")
            transition = workflow.transition(event.action) if event.action else None
            if transition is not None:
                values["news"] = str(transition.news) % values
        if self.kind in ORGANISATION_KINDS and self.user.organisation is not None:
            values["organisation"] = localized_name(self.user.organisation)
        return str(MESSAGES[self.kind]) % values

    @property
    def excerpt(self) -> str:
        """What was written with it: the comment, the reason, the brief, the report's note."""
        return (self.event.comment or "") if self.event is not None else ""
