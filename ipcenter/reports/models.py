"""A case's search report (of the types that produce one, cases.workflow.CaseType.report): the searches run,
the patents cited, the conclusion."""
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model
from ..patents.models import Patent

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cases.models import Case

# The categories of a search report, as the patent offices use them.
CATEGORIES = {
    "X": _l("X — relevant on its own: novelty or inventive step is in doubt"),
    "Y": _l("Y — relevant together with another cited document"),
    "A": _l("A — background: the general state of the art"),
}


class Citation(Model):
    __tablename__ = "citations"
    __table_args__ = (
        UniqueConstraint("case_id", "patent_id", name="one_per_case"),
        CheckConstraint("category IN ('X', 'Y', 'A')", name="category_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id"), index=True)
    category: Mapped[str] = mapped_column(String(1))
    note: Mapped[str] = mapped_column(Text, default="")
    cited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped["Case"] = relationship()
    patent: Mapped[Patent] = relationship()
    cited_by: Mapped["User"] = relationship()


class SearchRecord(Model):
    """One search run for a case, as it goes into the report."""

    __tablename__ = "search_records"
    __table_args__ = (CheckConstraint("mode IN ('query', 'similar')", name="mode_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    query: Mapped[str] = mapped_column(Text)
    result_count: Mapped[int] = mapped_column(Integer)
    run_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    run_by: Mapped["User"] = relationship()


class SearchReport(Model):
    """The examiner's conclusion; the rest of the report is the case's records and citations."""

    __tablename__ = "search_reports"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    updated_by: Mapped[Optional["User"]] = relationship()
