"""What every figure is counted over (a `Scope`: the period, the kind of request, the posts), and the pieces of
SQL the figures share."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from sqlalchemy import Integer, and_, case, cast, func, select

from ..calendar import CENTER_ZONE
from ..cases.workflow import CASE_TYPES
from ..extensions import db
from ..organisations.models import Post
from ..working_days import Day, days_spanning


@dataclass(frozen=True)
class Scope:
    first: date
    last: date  # both included, center dates
    today: date
    case_type: str | None = None
    posts: tuple[Post, ...] | None = None  # None: every post

    @property
    def post_codes(self) -> list[str]:
        return [post.code for post in self.posts or ()]

    @cached_property
    def period_days(self) -> list[Day]:
        """The period's days, counted once for every figure of the scope."""
        return days_spanning(self.first, self.last)

    @property
    def previous_month(self) -> str:
        """The month to offer for the monthly report, as YYYY-MM: the period's own if it is one whole month, else
        the month before the period's last day's (the report most often asked for)."""
        whole = self.first.day == 1 and (self.last + timedelta(days=1)).day == 1 and self.first.month == self.last.month
        return (self.first if whole else self.last.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    @property
    def types(self) -> list[str]:
        """The case types in scope: the one chosen, or those passing through the chosen posts."""
        codes = [self.case_type] if self.case_type else list(CASE_TYPES)
        if self.posts is None:
            return codes
        return [code for code in codes if any(stage.post in self.post_codes for stage in CASE_TYPES[code].stages)]


def utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants the center's days `first` to `last` run between (the end excluded)."""
    return (datetime.combine(first, time(), CENTER_ZONE),
            datetime.combine(last + timedelta(days=1), time(), CENTER_ZONE))


def twelve_months_to(last: date) -> date:
    """The first day of the twelve months ending with `last`."""
    following = last + timedelta(days=1)
    return following.replace(year=following.year - 1) if (following.month, following.day) != (2, 29) else date(
        following.year - 1, 3, 1)


def between(column, first: date, last: date):
    """In a query: the timestamp `column` falls on the center's days `first` to `last`."""
    start, end = utc_bounds(first, last)
    return and_(column >= start, column < end)


def types_clause(model, scope: Scope) -> list:
    """The case types in scope, as a condition on `model`'s case_type (none when every type is)."""
    return [] if len(scope.types) == len(CASE_TYPES) else [model.case_type.in_(scope.types)]


def total(counts):
    """A sum of counts, as a whole number (PostgreSQL sums counts as numerics)."""
    return cast(func.sum(counts), Integer)


def nearest_ranks(value, group, shares, *where) -> list:
    """Rows (`group`'s value, rows counted, the nearest-rank percentile of `value` at each share) of the rows that
    meet `where`, counted from how many rows hold each value (a few hundred), not by ranking every row."""
    took = select(group.label("grouping"), value.label("value"), func.count().label("rows")).where(
        *where).group_by(group, value).subquery()
    running = select(took.c.grouping, took.c.value,
                     func.sum(took.c.rows).over(partition_by=took.c.grouping, order_by=took.c.value).label("so_far"),
                     func.sum(took.c.rows).over(partition_by=took.c.grouping).label("rows")).subquery()
    return list(db.session.execute(select(
        running.c.grouping, cast(func.max(running.c.rows), Integer),
        *(func.min(case((running.c.so_far >= running.c.rows * share, running.c.value))) for share in shares))
        .group_by(running.c.grouping)))
