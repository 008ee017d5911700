"""Deadlines in working days on the mainland-China calendar.

A year whose official schedule the center has entered (`ipcenter.working_calendar`) is decided by it alone:
its holidays are off, its make-up working days are worked, and otherwise Monday to Friday. Any other year comes
from the `chinese_calendar` package, which knows the years up to its release. For a year neither knows (the
State Council publishes each year's schedule in late autumn), Monday to Friday count as working days: such a
date is *provisional* and the pages say so, since a deadline is never refused for lack of data.

The center's schedules are read once per transaction (a page counts many dates; a committed change by any
process is seen by the next transaction), and again at once after a change in this one (`forget_schedules`).
"""
import logging
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from flask import g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .extensions import db
from .working_calendar.models import CalendarDay, CalendarYear, DayKind

log = logging.getLogger(__name__)
CENTER_ZONE = ZoneInfo("Asia/Shanghai")
SCHEDULES = "working_calendar_schedules"  # on flask.g: {year: {listed day: whether it is worked}}


def center_today() -> date:
    """Today in Zhongshan, whatever the server's time zone."""
    return datetime.now(CENTER_ZONE).date()


def is_working_day(day: date, schedules: dict[int, dict[date, bool]] | None = None) -> bool:
    """Whether the center works on `day`, by its own schedules (read now, unless given) or else the package."""
    return _is_working_day(day, center_schedules() if schedules is None else schedules)


def _is_working_day(day: date, schedules: dict[int, dict[date, bool]]) -> bool:
    listed = schedules.get(day.year)
    if listed is not None:
        return listed.get(day, day.weekday() < 5)
    return _packaged_working_day(day)


# A count looks up the center's schedules once, not once per day it counts (a page counts thousands of days).

def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted); before it when negative."""
    step = timedelta(days=1 if days >= 0 else -1)
    current, remaining, schedules = start, abs(days), center_schedules()
    while remaining:
        current += step
        if _is_working_day(current, schedules):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    schedules = center_schedules()
    return sum(1 for offset in range(1, (end - start).days + 1)
               if _is_working_day(start + timedelta(days=offset), schedules))


def kept_by_center(year: int) -> bool:
    """The center has entered this year's schedule (it then overrides the package)."""
    return year in center_schedules()


@cache
def known_to_package(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_provisional_year(year: int) -> bool:
    """Nobody has said which days of this year are holidays: its dates are counted Monday to Friday."""
    return not kept_by_center(year) and not known_to_package(year)


def first_provisional_year(start: date, end: date) -> int | None:
    """The first year from `start` to `end` whose holidays are unknown: a count across it may still move."""
    return next((year for year in range(start.year, end.year + 1) if is_provisional_year(year)), None)


def forget_schedules() -> None:
    """The center's schedules changed in this transaction: read them again at the next count."""
    if has_app_context():
        g.pop(SCHEDULES, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_at_the_end_of_a_transaction(session, *args) -> None:
    forget_schedules()


def center_schedules() -> dict[int, dict[date, bool]]:
    """The center's schedules, read once per transaction."""
    if not has_app_context():  # a bare count (no database at hand): the package alone
        return {}
    if SCHEDULES not in g:
        setattr(g, SCHEDULES, _read_schedules())
    return getattr(g, SCHEDULES)


def _read_schedules() -> dict[int, dict[date, bool]]:
    # Counting may happen while a case being made is not complete yet: it must not be flushed by this read.
    with db.session.no_autoflush:
        return read_schedules(db.session)


def read_schedules(bind) -> dict[int, dict[date, bool]]:
    """The center's schedules as `bind` (a session or a connection) sees them: {year: {listed day: worked}}."""
    schedules: dict[int, dict[date, bool]] = {}
    rows = bind.execute(select(CalendarYear.year, CalendarDay.day, CalendarDay.kind)
                        .outerjoin(CalendarDay, CalendarDay.year == CalendarYear.year))
    for year, day, kind in rows:
        listed = schedules.setdefault(year, {})
        if day is not None:
            listed[day] = kind == DayKind.MAKE_UP_WORKDAY
    return schedules


@lru_cache(maxsize=4096)
def _packaged_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_missing_year(day.year)
        return day.weekday() < 5


@cache
def _warn_missing_year(year: int) -> None:
    """Said once per year and process: the fallback is expected until the year is entered."""
    log.warning("no official calendar for %s yet; counting Monday to Friday as working days", year)
