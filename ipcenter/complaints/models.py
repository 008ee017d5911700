"""The respondent's links and the case files released to the respondent."""
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cases.models import Attachment, Case
from ..database import UTCDateTime, utcnow
from ..extensions import Model, db
from ..notices.kinds import NOTICE_KINDS, RESPONDENT
from ..notices.models import Notice, NoticeFile

if TYPE_CHECKING:
    from ..accounts.models import User


class RespondentLink(Model):
    """A single-use link to the page where a complaint's respondent reads the notice addressed to it and answers.

    The token is this row's id signed with the app's secret (operations.link_token), so nothing secret is stored:
    a copy of the database forges no link, and staff can show the link again at any time to send it by other
    means. It expires some time after the answer's deadline (operations.LINK_GRACE) and is spent by the answer."""

    __tablename__ = "respondent_links"
    __table_args__ = (Index("ix_respondent_links_case_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    emailed_to: Mapped[str | None] = mapped_column(String(254))  # the respondent's address the notice went to, if any

    case: Mapped[Case] = relationship()
    created_by: Mapped["User"] = relationship()

    @property
    def expired(self) -> bool:
        return self.used_at is None and self.expires_at <= utcnow()

    @property
    def shows_notice(self) -> bool:
        """Neither used nor expired: the page shows the notice (and, while the case waits for it, the form)."""
        return self.used_at is None and not self.expired


class ReleasedAttachment(Model):
    """A file of a complaint that staff released to the respondent: its link page (and its users' page) offer it.
    Withdrawing the release deletes the row (the audit log keeps both)."""

    __tablename__ = "released_attachments"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    released_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachment: Mapped[Attachment] = relationship()


def is_released(attachment: Attachment) -> bool:
    """Released by staff, or a notice the center addressed to the respondent (the complaint notice): its own."""
    return db.session.get(ReleasedAttachment, attachment.id) is not None or attachment.id in respondents_notices(
        attachment.case_id)


def respondents_notices(case_id: int) -> set[int]:
    """The attachments of the notices addressed to a complaint's respondent, every version and language."""
    kinds = [kind.code for kind in NOTICE_KINDS.values() if kind.addressed_to is RESPONDENT]
    return set(db.session.scalars(select(NoticeFile.attachment_id).join(Notice, Notice.id == NoticeFile.notice_id)
                                  .where(Notice.case_id == case_id, Notice.kind.in_(kinds))))
