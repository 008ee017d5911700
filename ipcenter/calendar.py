"""Deadlines in working days on the mainland-China calendar.

Weekends, public holidays and the make-up working days on weekends come from the
`chinese_calendar` package. For a year it does not know yet (the State Council
publishes each year's schedule in late autumn), Monday to Friday count as working
days and a warning is logged, so a deadline is never refused for lack of data.
"""
import logging
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
CENTER_ZONE = ZoneInfo("Asia/Shanghai")


def center_today() -> date:
    """Today in Zhongshan, whatever the server's time zone."""
    return datetime.now(CENTER_ZONE).date()


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_missing_year(day.year)
        return day.weekday() < 5


@cache
def _warn_missing_year(year: int) -> None:
    """Said once per year and process: the fallback is expected until the package is updated."""
    log.warning("no official calendar for %s yet; counting Monday to Friday as working days", year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted); before it when negative."""
    step = timedelta(days=1 if days >= 0 else -1)
    current, remaining = start, abs(days)
    while remaining:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=offset)))
