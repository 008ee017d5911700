"""A year's official schedule (the State Council's notice), as the center entered it, and its listed days.

A year with a row here is decided by its rows alone: the days listed as holidays are off, the days listed as
make-up working days are worked, every other day is worked from Monday to Friday. `ipcenter.calendar` reads them.
"""
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import IntEnum, LabelledEnum, UTCDateTime, enum_check, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years the center may keep


class DayKind(LabelledEnum):
    HOLIDAY = 1, _l("Holiday")
    MAKE_UP_WORKDAY = 2, _l("Make-up working day")


class ScheduleSource(LabelledEnum):
    ENTERED = 1, _l("entered on the calendar page")
    IMPORTED = 2, _l("imported from a file")


class CalendarYear(Model):
    """That the center has entered a year's schedule: who last changed it, when, and how."""

    __tablename__ = "calendar_years"
    __table_args__ = (
        CheckConstraint(f"year BETWEEN {FIRST_YEAR} AND {LAST_YEAR}", name="year_range"),
        CheckConstraint(enum_check("source", ScheduleSource), name="source_known"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[ScheduleSource] = mapped_column(IntEnum(ScheduleSource))
    file_name: Mapped[str | None] = mapped_column(String(255))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: a command on the server
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entered_by: Mapped[Optional["User"]] = relationship()
    days: Mapped[list["CalendarDay"]] = relationship(back_populates="schedule", order_by="CalendarDay.day",
                                                     cascade="all, delete-orphan")


class CalendarDay(Model):
    """A day the notice lists: a holiday, or a weekend day worked to make up for one; named as the notice names it."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint(enum_check("kind", DayKind), name="kind_known"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year"), index=True)
    kind: Mapped[DayKind] = mapped_column(IntEnum(DayKind))
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str | None] = mapped_column(String(60))

    schedule: Mapped[CalendarYear] = relationship(back_populates="days")
