"""Patent records: the database is the source of truth; the search index is derived from it."""
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..organisations.models import Organisation

PATENT_TYPES = {"invention": _l("Invention"), "utility_model": _l("Utility model"), "design": _l("Design")}
# Fields whose values are lists, stored joined by "; ".
LIST_FIELDS = ("applicants", "inventors", "ipc", "cpc", "locarno")
SEPARATOR = "; "
# Legal statuses as the sources write them (Chinese records in Chinese, USPTO ones in English), to show in the
# interface language; a status not listed here is shown as the source wrote it.
LEGAL_STATUSES = {"有效": _l("In force"), "失效": _l("Lapsed"), "审中": _l("Under examination"),
                  "granted": _l("Granted"), "published": _l("Published")}


class Patent(Model):
    __tablename__ = "patents"
    __table_args__ = (
        CheckConstraint("patent_type IN ('invention', 'utility_model', 'design')", name="type_known"),
        Index("ix_patents_application_number", "application_number"),
        Index("ix_patents_publication_date", "publication_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    publication_number: Mapped[str] = mapped_column(String(32), unique=True)  # canonical, without kind code
    kind_code: Mapped[str | None] = mapped_column(String(4))
    patent_type: Mapped[str] = mapped_column(String(20))
    application_number: Mapped[str | None] = mapped_column(String(32))
    filing_date: Mapped[date | None] = mapped_column(Date)
    publication_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    claims: Mapped[str] = mapped_column(Text, default="")
    applicants: Mapped[str] = mapped_column(Text, default="")
    inventors: Mapped[str] = mapped_column(Text, default="")
    ipc: Mapped[str] = mapped_column(Text, default="")
    cpc: Mapped[str] = mapped_column(Text, default="")
    locarno: Mapped[str] = mapped_column(String(100), default="")
    legal_status: Mapped[str] = mapped_column(String(60), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Optional["Organisation"]] = relationship()

    def values(self, field: str) -> list[str]:
        """A list field's values."""
        return [value for value in (getattr(self, field) or "").split(SEPARATOR) if value]

    @property
    def legal_status_label(self) -> str:
        return str(LEGAL_STATUSES.get(self.legal_status, self.legal_status))

    @property
    def display_number(self) -> str:
        return f"{self.publication_number}{self.kind_code or ''}"

    def __repr__(self) -> str:
        return f"<Patent {self.display_number}>"


class IndexQueueEntry(Model):
    """A patent changed in the database and not yet in the search index (an outbox, kept in the same commit)."""

    __tablename__ = "patent_index_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column()  # no foreign key: deletions are queued too
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
