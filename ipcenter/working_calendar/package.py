"""A year's holidays and make-up working days as the `chinese_calendar` package lists them (for the years its
release covers): what the calendar page shows until the center enters the year, and what the center's own
schedule starts from when it adds or removes a single day."""
from datetime import date, timedelta

import chinese_calendar

from ..calendar import known_to_package
from .models import DayKind
from .notice import ListedDay

PACKAGE_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


def packaged_days(year: int) -> list[ListedDay]:
    """The package's listing of the year; none for a year it does not know."""
    if not known_to_package(year):
        return []
    return [listed for listed in map(_packaged_day, _days_of(year)) if listed is not None]


def _packaged_day(day: date) -> ListedDay | None:
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if name is None or (not on_holiday and day.weekday() < 5):
        return None  # an ordinary day (a holiday's weekday neighbour is named by the package, but worked)
    kind = DayKind.HOLIDAY if on_holiday else DayKind.MAKE_UP_WORKDAY
    return ListedDay(day, kind, PACKAGE_NAMES.get(name, name), name)


def _days_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)
