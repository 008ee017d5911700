"""Each person's day, for their home page: what needs them now, most urgent first.

Center staff see their own open cases by urgency (the center's deadlines only: a case waiting on the enterprise
is not late), the unassigned cases of their posts, and the news they have not read (an enterprise answered, a
unit reported); managers the same across every post, with the overdue count of each post and the units gone
quiet. An enterprise sees first what the center asked of it, then its open cases, then its results, then its closed
cases the center still asks it to rate (how satisfied it is). Every count is the length of a list the page links to
(queries.urgency_clause, the lists' `urgency` filter).
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from ..calendar import CENTER_ZONE, add_working_days, center_today, working_days_between
from ..extensions import db
from ..notifications.models import Notification
from ..organisations.models import DemonstrationUnit, Organisation, OrganisationStatus, Post
from ..permissions import can
from ..working_calendar.queries import calendar_notice
from .models import Case, CaseEvent, EventKind
from .queries import CASE_ROW, queue_posts, urgency_clause

QUIET = 10  # working days without a report from a unit working on a case: the manager hears of it
LISTED = 20  # cases a home page lists under each heading; its count links to the whole list


@dataclass
class Listing:
    """A home page's heading: how many cases there are, and the first LISTED of them."""

    count: int
    cases: list[Case]


@dataclass
class CenterDay:
    urgent: dict[str, Listing]  # "overdue", "today", "soon": the user's (a manager's: every post's)
    unassigned: int  # open cases of the user's posts nobody holds
    news: list[Notification]  # unread, newest first
    overdue_per_post: list[tuple[Post, int]] = field(default_factory=list)  # managers
    quiet_units: list[tuple[DemonstrationUnit, date]] = field(default_factory=list)  # managers: since when


@dataclass
class EnterpriseDay:
    # Complaints against the enterprise the center told it of; each opens the respondent's page, never the case.
    against: Listing
    asked: Listing  # the center waits on the enterprise's answer: by its date
    open: Listing
    results: Listing  # a result delivered, or closed with an outcome, lately
    to_rate: Listing  # closed, and not yet said how satisfied it is (cases.satisfaction): the latest first


@dataclass
class Delegated:
    case: Case
    brief: str | None  # what the center asked the unit to do
    delegated_on: date
    last_report: date | None

    @property
    def next_report_by(self) -> date:
        """The center expects a word every QUIET working days from the last (or the delegation), and the result
        by the case's deadline."""
        expected = add_working_days(self.last_report or self.delegated_on, QUIET)
        return min(expected, self.case.due_date) if self.case.due_date else expected

    @property
    def report_late(self) -> bool:
        return self.next_report_by < center_today()

    @property
    def report_age(self) -> int | None:
        """Working days since the last report."""
        return working_days_between(self.last_report, center_today()) if self.last_report else None


@dataclass
class UnitDay:
    delegated: list[Delegated]  # the open cases delegated to the unit


def home_for(user) -> dict:
    """What the user's home page shows, by what the user does at the center."""
    if can(user, "center.workspace"):
        pending = _count(select(Organisation).where(Organisation.status == OrganisationStatus.PENDING)) \
            if can(user, "organisation.review") else None
        notice = calendar_notice(center_today()) if can(user, "calendar.view") else None
        return {"center_day": center_day(user), "pending_organisations": pending, "calendar_notice": notice}
    if can(user, "unit.cases"):
        return {"unit_day": unit_day(user)}
    return {"enterprise_day": enterprise_day(user)}


def center_day(user) -> CenterDay:
    every_post = can(user, "queue.every_post")
    open_cases = select(Case).where(Case.closed_at.is_(None))
    mine = open_cases if every_post else open_cases.where(Case.assignee_id == user.id)
    urgent = {urgency: _listing(mine.where(urgency_clause(urgency))) for urgency in ("overdue", "today", "soon")}
    post_ids = [post.id for post in queue_posts(user)]
    day = CenterDay(urgent=urgent, unassigned=_count(open_cases.where(Case.post_id.in_(post_ids),
                                                                        Case.assignee_id.is_(None))),
                    news=_unread_news(user))
    if every_post:
        day.overdue_per_post = _overdue_per_post()
        day.quiet_units = _quiet_units()
    return day


def _unread_news(user) -> list[Notification]:
    """The five newest unread notifications, with what their messages read (one query, not three per line)."""
    unread = select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return _first(unread, (Notification.created_at.desc(), Notification.id.desc()), 5, (
        joinedload(Notification.case), joinedload(Notification.actor),
        joinedload(Notification.event).joinedload(CaseEvent.unit)))


def enterprise_day(user) -> EnterpriseDay:
    own = select(Case).where(Case.organisation_id == user.organisation_id)
    against = select(Case).where(Case.respondent_credit_code == user.organisation.credit_code,
                                 Case.organisation_id != user.organisation_id, Case.respondent_told_clause())
    return EnterpriseDay(against=_listing(against, Case.closed_at.is_not(None), Case.due_date, Case.id.desc()),
                         asked=_listing(own.where(urgency_clause("asked"))),
                         open=_listing(own.where(urgency_clause("under_way"))),
                         results=_listing(own.where(urgency_clause("results")), Case.updated_at.desc()),
                         to_rate=_listing(own.where(urgency_clause("to_rate")), Case.closed_at.desc()))


def unit_day(user) -> UnitDay:
    cases = _listing(select(Case).where(Case.delegated_unit_id == user.unit_id, Case.closed_at.is_(None))).cases
    briefs: dict[int, tuple[str | None, date]] = {}
    reported: dict[int, date] = {}
    for event in db.session.scalars(select(CaseEvent).where(
            CaseEvent.case_id.in_([case.id for case in cases]), CaseEvent.unit_id == user.unit_id,
            CaseEvent.kind.in_((EventKind.DELEGATED, EventKind.PROGRESS_REPORT))).order_by(CaseEvent.id)):
        day = event.created_at.astimezone(CENTER_ZONE).date()
        if event.kind == EventKind.DELEGATED:
            briefs[event.case_id] = (event.comment, day)  # the latest delegation's brief
            reported.pop(event.case_id, None)  # reports before a new delegation were about the old one
        else:
            reported[event.case_id] = day
    return UnitDay([Delegated(case, *briefs.get(case.id, (None, center_today())), reported.get(case.id))
                    for case in cases])


def _listing(query, *order) -> Listing:
    order = order or (Case.due_date.asc().nulls_last(), Case.id)
    return Listing(_count(query), _first(query, order, LISTED, CASE_ROW))


def _first(query, order, limit: int, loads) -> list:
    """The first `limit` rows of `query` in `order`, with their `loads` joined to those rows only: chosen by id
    first, so that the database does not join every row the query selects before it keeps the first ones."""
    entity = query.column_descriptions[0]["entity"]
    chosen = query.with_only_columns(entity.id).order_by(*order).limit(limit)
    return list(db.session.scalars(select(entity).where(entity.id.in_(chosen)).order_by(*order).options(*loads)))


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _overdue_per_post() -> list[tuple[Post, int]]:
    rows = db.session.execute(select(Post, func.count(Case.id)).join(Case, Case.post_id == Post.id)
                              .where(Case.closed_at.is_(None), urgency_clause("overdue"))
                              .group_by(Post.id).order_by(func.count(Case.id).desc(), Post.id))
    return [(post, count) for post, count in rows]


def _quiet_units() -> list[tuple[DemonstrationUnit, date]]:
    """Units holding open cases whose last word (a progress report, or else the delegation) is older than QUIET
    working days, with its date; the quietest first."""
    # Each unit's words are read newest first (the index of the units' words) up to the first on a case the unit
    # still holds: a few rows, where joining the cases a unit holds to their timelines reads thousands. The case
    # is asked of each word as a value (not joined, not EXISTS) so that the database reads the words in that order
    # and expects to stop soon.
    still_held = select(Case.id).where(Case.id == CaseEvent.case_id, Case.delegated_unit_id == DemonstrationUnit.id,
                                       Case.closed_at.is_(None)).scalar_subquery()
    last_word = (select(CaseEvent.created_at)
                 .where(CaseEvent.unit_id == DemonstrationUnit.id,
                        CaseEvent.kind.in_((EventKind.PROGRESS_REPORT, EventKind.DELEGATED)), still_held.is_not(None))
                 .order_by(CaseEvent.created_at.desc()).limit(1).scalar_subquery().label("last_word"))
    holding = exists().where(Case.delegated_unit_id == DemonstrationUnit.id, Case.closed_at.is_(None))
    since = add_working_days(center_today(), -QUIET)
    rows = db.session.execute(select(DemonstrationUnit, last_word).where(holding).order_by(last_word))
    quiet = [(unit, at.astimezone(CENTER_ZONE).date()) for unit, at in rows if at is not None]
    return [(unit, day) for unit, day in quiet if day < since]
