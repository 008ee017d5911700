"""In-app notifications: what happened, for whom, read or not."""
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cases.models import Case, CaseEvent

# What each kind of notification says; %(reference)s is the case, %(actor)s who acted.
MESSAGES = {
    "case_submitted": _l("New case %(reference)s is in your post's queue."),
    "stage_changed": _l("Case %(reference)s: %(action)s by %(actor)s."),
    "correction_requested": _l("Case %(reference)s: the center asks you for corrections or materials."),
    "assigned": _l("Case %(reference)s has been assigned to you by %(actor)s."),
    "delegated": _l("Case %(reference)s has been delegated to your unit."),
    "unit_report": _l("Case %(reference)s: %(actor)s filed a progress report."),
    "due_soon": _l("Case %(reference)s is due within one working day."),
    "overdue": _l("Case %(reference)s is overdue."),
    "escalated": _l("Case %(reference)s is overdue and has been escalated to you."),
}


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_inbox", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("case_events.id"))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    actor: Mapped[Optional["User"]] = relationship(foreign_keys=[actor_id])
    case: Mapped[Optional["Case"]] = relationship()
    event: Mapped[Optional["CaseEvent"]] = relationship()

    @property
    def message(self) -> str:
        action = ""
        if self.event is not None and self.event.action and self.case is not None:
            transition = self.case.workflow.transition(self.event.action)
            action = str(transition.label) if transition else self.event.action
        return str(MESSAGES[self.kind]) % {
            "reference": self.case.reference if self.case else "",
            "actor": self.actor.display_name if self.actor else "",
            "action": action,
        }
