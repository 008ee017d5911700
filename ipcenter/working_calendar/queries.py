"""What the pages show of the calendar: a year's days, and what the dashboard says of missing schedules."""
import calendar as month_calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..calendar import first_provisional_year, is_provisional_year, is_working_day
from ..cases.models import Case
from ..extensions import db
from .models import LAST_YEAR
from .notice import ListedDay

NOVEMBER = 11  # from the first of it the next year's schedule is expected (published in late autumn)


@dataclass(frozen=True)
class ShownDay:
    day: date
    working: bool
    listed: ListedDay | None  # a holiday or make-up working day, as the schedule names it


def month_weeks(year: int, schedule: list[ListedDay]) -> list[tuple[date, list[list[ShownDay | None]]]]:
    """Each month as weeks from Monday to Sunday (None: a day of the month before or after)."""
    by_day = {listed.day: listed for listed in schedule}
    months = []
    for month in range(1, 13):
        weeks = [[ShownDay(day, is_working_day(day), by_day.get(day)) if day.month == month else None
                  for day in week] for week in month_calendar.Calendar().monthdatescalendar(year, month)]
        months.append((date(year, month, 1), weeks))
    return months


@dataclass(frozen=True)
class CalendarNotice:
    missing_years: list[int]  # this year, and from November the next, when neither the center nor the package knows
    provisional_cases: int  # open cases whose due date is counted across such a year
    first_provisional_year: int | None


def calendar_notice(today: date) -> CalendarNotice:
    expected = [today.year, today.year + 1] if today.month >= NOVEMBER else [today.year]
    missing = [year for year in expected if is_provisional_year(year)]
    unknown = next((year for year in range(today.year - 1, LAST_YEAR + 1) if is_provisional_year(year)), None)
    if unknown is None:
        return CalendarNotice(missing, 0, None)
    counts = db.session.execute(select(Case.due_counted_from, Case.due_date, func.count())
                                .where(Case.closed_at.is_(None), Case.due_date >= date(unknown, 1, 1))
                                .group_by(Case.due_counted_from, Case.due_date)).all()
    # Whether a count crosses a year nobody knows depends on its first and last years alone: asked once a pair.
    by_years: Counter[tuple[int, int]] = Counter()
    for start, due, count in counts:
        by_years[min(start or due, due).year, due.year] += count
    provisional = [(first_provisional_year(date(first, 1, 1), date(last, 1, 1)), count)
                   for (first, last), count in by_years.items()]
    years = [year for year, _ in provisional if year is not None]
    return CalendarNotice(missing, sum(count for year, count in provisional if year is not None),
                          min(years, default=None))
