"""Counting days in SQL: a timestamp's date in the center's zone, and the working-day number of each date.

Working days between two dates are the difference of their numbers. The numbers come from the working calendar
as the app counts deadlines (the center's schedules, the package, Monday to Friday beyond both), sent with the
query as a VALUES list of the days it spans: a few thousand rows at most, always as the calendar stands.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, Integer, column, values
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .calendar import CENTER_ZONE, center_schedules, is_working_day


class center_date(FunctionElement):  # noqa: N801 (an SQL function, named as SQL names them)
    """The date in Zhongshan of a UTC timestamp column."""

    type = Date()
    inherit_cache = True


@compiles(center_date, "postgresql")
def _center_date_postgresql(element, compiler, **kw) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE '{CENTER_ZONE.key}' AS DATE)"


@compiles(center_date, "sqlite")
def _center_date_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps UTC without a zone; the center's zone has had no daylight saving since 1991.
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


class days_between(FunctionElement):  # noqa: N801
    """In a query: the calendar days from one date to a later one."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@dataclass(frozen=True)
class Day:
    day: date
    number: int  # working days from the first day of the span up to and including this one
    week: date  # the Monday of its week
    month: date  # the first of its month


def days_spanning(first: date, last: date, schedules: dict[int, dict[date, bool]] | None = None) -> list[Day]:
    """Each day from `first` to `last`, counted on the center's schedules (read now, unless given)."""
    days, number = [], 0
    schedules = center_schedules() if schedules is None else schedules
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        number += is_working_day(day, schedules)
        days.append(Day(day, number, day - timedelta(days=day.weekday()), day.replace(day=1)))
    return days


def days_numbered(dates: list[date], schedules: dict[int, dict[date, bool]] | None = None) -> list[Day]:
    """Just the days `dates` (in order), numbered as `days_spanning` numbers them from the first: the table a query
    joins on stays as small as the dates it looks up, however many years they span."""
    wanted = set(dates)
    return [day for day in days_spanning(dates[0], dates[-1], schedules) if day.day in wanted]


def day_table(days: list[Day], name: str = "days"):
    """Days (`days_spanning`) as a table (day, number, week, month) to join on."""
    table = values(column("day", Date), column("number", Integer), column("week", Date), column("month", Date),
                   name=name)
    return table.data([(d.day, d.number, d.week, d.month) for d in days]).cte(name)
