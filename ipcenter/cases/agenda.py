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

from sqlalchemy import func, select

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
                    news=list(db.session.scalars(select(Notification).where(
                        Notification.user_id == user.id, Notification.read_at.is_(None))
                        .order_by(Notification.created_at.desc()).limit(5))))
    if every_post:
        day.overdue_per_post = _overdue_per_post()
        day.quiet_units = _quiet_units()
    return day


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
    cases = db.session.scalars(query.order_by(*(order or (Case.due_date.asc().nulls_last(), Case.id)))
                               .options(*CASE_ROW).limit(LISTED))
    return Listing(_count(query), list(cases))


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
    last_word = (select(Case.delegated_unit_id.label("unit_id"), func.max(CaseEvent.created_at).label("at"))
                 .join(CaseEvent, (CaseEvent.case_id == Case.id) & (CaseEvent.unit_id == Case.delegated_unit_id))
                 .where(Case.closed_at.is_(None), Case.delegated_unit_id.is_not(None),
                        CaseEvent.kind.in_((EventKind.PROGRESS_REPORT, EventKind.DELEGATED)))
                 .group_by(Case.delegated_unit_id).subquery())
    since = add_working_days(center_today(), -QUIET)
    rows = db.session.execute(select(DemonstrationUnit, last_word.c.at)
                              .join(last_word, last_word.c.unit_id == DemonstrationUnit.id).order_by(last_word.c.at))
    quiet = [(unit, at.astimezone(CENTER_ZONE).date()) for unit, at in rows]
    return [(unit, day) for unit, day in quiet if day < since]
