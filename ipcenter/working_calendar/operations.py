"""Changing a year's schedule: the days it lists, then the due dates of open cases counted across that year,
and the audit entry, all in the caller's transaction."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.operations import record
from ..calendar import forget_schedules, is_provisional_year
from ..cases.operations import recount_deadlines
from ..cases.stints import recount_between
from ..database import utcnow
from ..extensions import db
from .models import CalendarDay, CalendarYear, DayKind, ScheduleSource
from .notice import ListedDay, ScheduleRefused, check_day
from .package import packaged_days


def replace_schedule(year: int, days: list[ListedDay], actor: User | None, *, file_name: str | None = None
                     ) -> dict[str, tuple[date, date]] | None:
    """The whole year as the notice gives it (days checked by `read_schedule`). None when it is the schedule
    already kept; else the due dates moved, by case reference."""
    schedule = db.session.get(CalendarYear, year)
    if schedule is not None and _listed(schedule) == sorted(days, key=lambda listed: listed.day):
        return None
    source = ScheduleSource.IMPORTED if file_name else ScheduleSource.ENTERED
    return _change(year, actor, source, file_name, lambda kept: _replace_days(kept, days))


def add_day(year: int, listed: ListedDay, actor: User) -> dict[str, tuple[date, date]]:
    """One day added to the year's official schedule, the center's or the package's. A year neither knows is
    entered whole first: a single day would make it count as official, its deadlines no longer provisional."""
    check_day(listed, year)
    if (whole_first := whole_year_first(year)) is not None:
        raise ScheduleRefused(whole_first, field="day")
    if db.session.get(CalendarDay, listed.day) is not None:
        raise ScheduleRefused(_l("%(date)s is listed already: remove it first to change it.",
                                 date=listed.day.isoformat()), field="day")
    return _change(year, actor, ScheduleSource.ENTERED, None, lambda kept: kept.days.append(_row(listed)),
                   from_package=True)


def whole_year_first(year: int):
    """Why no single day can be added to the year yet, if it is one neither the package nor the center knows."""
    if not is_provisional_year(year):
        return None
    return _l("Enter the whole schedule of %(year)d first (“Enter or import the whole year”), as the State "
              "Council’s notice gives it; single days can then be added to it.", year=year)


def remove_days(year: int, first: date, last: date, actor: User) -> dict[str, tuple[date, date]] | None:
    """The listed days from `first` to `last` (a holiday's run, or one day). None when none is listed (removed
    already: a form sent twice)."""
    rows = db.session.scalars(select(CalendarDay).where(CalendarDay.year == year, CalendarDay.day >= first,
                                                        CalendarDay.day <= last)).all()
    if not rows:
        return None
    return _change(year, actor, ScheduleSource.ENTERED, None, lambda kept: [kept.days.remove(row) for row in rows])


def listed_days(year: int) -> list[ListedDay] | None:
    """The days the center lists for the year; None when it has not entered the year."""
    schedule = db.session.get(CalendarYear, year)
    return None if schedule is None else _listed(schedule)


def _change(year: int, actor: User | None, source: ScheduleSource, file_name: str | None, change,
            from_package: bool = False) -> dict[str, tuple[date, date]]:
    """Make `change` to the year's schedule, made first if the center has none; `from_package`: made from the
    package's listing of the year (a single day added to the official holidays, not in place of them)."""
    schedule = db.session.get(CalendarYear, year)
    before = _described(schedule) if schedule is not None else None
    counted_before = _counted_days(year)
    if schedule is None:
        schedule = CalendarYear(year=year)
        db.session.add(schedule)
        if from_package:
            schedule.days.extend(_row(listed) for listed in packaged_days(year))
    schedule.source, schedule.file_name, schedule.entered_by, schedule.entered_at = source, file_name, actor, utcnow()
    db.session.flush()
    change(schedule)
    db.session.flush()
    forget_schedules()
    moved = recount_deadlines(date(year, 1, 1), date(year, 12, 31), actor)
    counted_after = _counted_days(year)
    changed = sorted(day for day in counted_before.keys() | counted_after.keys()
                     if counted_before.get(day) != counted_after.get(day))
    if changed:
        recount_between(changed[0], changed[-1])  # the working days each stay and case took across them
    record("calendar.changed", "calendar", str(year), actor=actor, before=before, after={
        **_described(schedule), "due_dates_moved": {reference: [old.isoformat(), new.isoformat()]
                                                    for reference, (old, new) in moved.items()}})
    return moved


def _counted_days(year: int) -> dict[date, DayKind]:
    return {listed.day: listed.kind for listed in year_schedule(year)}


def year_schedule(year: int) -> list[ListedDay]:
    """The year's holidays and make-up days: the center's when entered, else the package's (else none)."""
    kept = listed_days(year)
    if kept is not None:
        return kept
    return packaged_days(year)


def _replace_days(schedule: CalendarYear, days: list[ListedDay]) -> None:
    schedule.days.clear()
    db.session.flush()  # the old rows go before new ones take their dates
    schedule.days.extend(_row(listed) for listed in days)


def _row(listed: ListedDay) -> CalendarDay:
    return CalendarDay(day=listed.day, kind=listed.kind, name_zh=listed.name_zh, name_en=listed.name_en)


def _listed(schedule: CalendarYear) -> list[ListedDay]:
    return [ListedDay(row.day, row.kind, row.name_zh, row.name_en) for row in schedule.days]


def _described(schedule: CalendarYear) -> dict:
    """A schedule as the audit log keeps it: {date: [kind, Chinese name, English name]}."""
    return {"days": {row.day.isoformat(): [row.kind.name.lower(), row.name_zh, row.name_en] for row in schedule.days}}
