"""In-app notifications: what happened, for whom, read or not."""
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
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


class Notification(Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_inbox", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
