"""Official notices issued on cases, their numbers, their files (one per version and language), and the
templates managers put in place of the default ones."""
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cases.models import Attachment, Case, CaseEvent

LANGUAGE_KNOWN = "language IN ('zh', 'en')"


class Notice(Model):
    """A notice issued by a step of a case (its timeline entry), under its number for good."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("kind", "year", "serial", name="uq_notices_number"),
        # A notice written again for its step is a new version of it, never a second notice.
        UniqueConstraint("event_id", "kind", name="uq_notices_event_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"))
    kind: Mapped[str] = mapped_column(String(40))  # a code of kinds.NOTICE_KINDS
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))  # 古知受〔2026〕0012号
    issued_on: Mapped[date] = mapped_column(Date)
    # What it says (kinds.NoticeKind.all_fields), as read when it was issued: a new version says the same.
    facts: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped["Case"] = relationship()
    event: Mapped["CaseEvent"] = relationship()
    files: Mapped[list["NoticeFile"]] = relationship(back_populates="notice",
                                                     order_by="NoticeFile.id")

    @property
    def versions(self) -> list[int]:
        return sorted({file.version for file in self.files})


class NoticeFile(Model):
    """One version of a notice in one language: an attachment of the step's timeline entry."""

    __tablename__ = "notice_files"
    __table_args__ = (
        UniqueConstraint("notice_id", "version", "language", name="uq_notice_files_version_language"),
        CheckConstraint(LANGUAGE_KNOWN, name="language_known"),
        CheckConstraint("version >= 1", name="version_counted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(2))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), unique=True)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notice: Mapped[Notice] = relationship(back_populates="files")
    attachment: Mapped["Attachment"] = relationship()
    written_by: Mapped[Optional["User"]] = relationship()


class NoticeCounter(Model):
    """The last number given to a kind of notice in a year; incremented under a row lock."""

    __tablename__ = "notice_counters"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class NoticeTemplate(Model):
    """A manager's template for a kind in a language, used instead of the one in the repository."""

    __tablename__ = "notice_templates"
    __table_args__ = (CheckConstraint(LANGUAGE_KNOWN, name="language_known"),)

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped["User"] = relationship()
