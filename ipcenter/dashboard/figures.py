"""The figures a protection center is judged by, each one SQL query over a `Scope` (dates, case type, posts).

The dashboard shows them and the monthly report writes them: both read these functions, so a chart, its table
and the report's cell are one number. Definitions (the page's help says them too):
- *received*: cases submitted in the period; *closed*: cases closed in it.
- *turnaround*: working days from submission to closing, for cases closed in the period; the *enterprise's time*
  is the working days spent at stages where the enterprise was asked something (materials, corrections, a
  draft to confirm), the *center's time* the rest. Medians and 90th percentiles are nearest-rank.
- *deadline compliance*: each stint at a stage run to the center's deadline that ended in the period (but for
  an enterprise's pause: that stint is judged when the case leaves the stage) is *within its allowance* when it
  took no more working days than the stage allows.
- Fast pre-examination: *passed* and *refused* (not accepted) are the decisions made in the period; days to a
  decision are working days from submission; days from forwarding to grant are calendar days (the patent
  office's). Per enterprise: the last 12 months up to the period's end.
- *satisfaction*: the enterprises' answers (1 to 5) given in the period to the question asked when a case closes,
  each counted in the month it was given, for the post owning the stage the case closed from.
- The post filter: open cases at the post's stages; cases received and closed of the types the post works on;
  stints at its own stages; answers about closings from its stages.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..calendar import CENTER_ZONE
from ..cases.models import Case, CaseEvent, EventKind, SatisfactionAnswer, stages_where
from ..cases.workflow import CASE_TYPES, FAST_PRE_EXAMINATION
from ..extensions import db
from ..organisations.models import DemonstrationUnit, Organisation, Post
from .days import Day, center_date, day_table, days_spanning

WEEKS = 26
PASS, NOT_ACCEPT, FORWARD, GRANT = "pass", "not_accept", "forward", "record_grant"
STAGE_CHANGES = (EventKind.SUBMITTED, EventKind.TRANSITION)  # the timeline entries that enter a stage
PRE_EXAMINATION = FAST_PRE_EXAMINATION.code


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
    def counted_days(self) -> list[Day]:
        """The days the figures count working days on, from the first case ever (or the period, if earlier) to
        today: counted once for every figure of the scope."""
        first_case = db.session.scalar(select(func.min(Case.created_at)))
        first = min(self.first, first_case.astimezone(CENTER_ZONE).date() if first_case else self.first)
        return days_spanning(first, max(self.today, self.last))

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


def _between(column, first: date, last: date):
    start, end = utc_bounds(first, last)
    return and_(column >= start, column < end)


def _flow_scope(scope: Scope) -> list:
    return [Case.case_type.in_(scope.types)]


def _now_scope(scope: Scope) -> list:
    clauses = [Case.case_type.in_(scope.types)]
    if scope.posts is not None:
        clauses.append(Case.post_id.in_([post.id for post in scope.posts]))
    return clauses


def _days(scope: Scope, name: str = "days"):
    """The working-day numbers from the first case ever (or the period, if earlier) to today."""
    return day_table(scope.counted_days, name)


def _nearest_rank(value, rank, count, share: float):
    """The aggregate picking the nearest-rank percentile of rows ranked by `value` (rank 1 the smallest)."""
    return func.min(case((rank >= count * share, value)))


# --- Now -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageCount:
    case_type: str
    stage: str
    count: int


def open_by_stage(scope: Scope) -> list[StageCount]:
    rows = db.session.execute(select(Case.case_type, Case.stage, func.count())
                              .where(Case.closed_at.is_(None), *_now_scope(scope))
                              .group_by(Case.case_type, Case.stage))
    order = {(t, s.code): (i, j) for i, t in enumerate(CASE_TYPES) for j, s in enumerate(CASE_TYPES[t].stages)}
    return sorted((StageCount(*row) for row in rows), key=lambda row: order.get((row.case_type, row.stage), (99, 99)))


def _overdue_now(scope: Scope):
    return [Case.closed_at.is_(None), Case.is_center_work, Case.due_date < scope.today, *_now_scope(scope)]


def overdue_per_post(scope: Scope) -> list[tuple[Post, int]]:
    return list(db.session.execute(
        select(Post, func.count(Case.id)).join(Case, Case.post_id == Post.id).where(*_overdue_now(scope))
        .group_by(Post.id).order_by(func.count(Case.id).desc(), Post.code)).tuples().all())


def overdue_per_type(scope: Scope) -> dict[str, int]:
    return dict(db.session.execute(select(Case.case_type, func.count()).where(*_overdue_now(scope))
                                   .group_by(Case.case_type)).tuples().all())


def overdue_per_assignee(scope: Scope) -> list[tuple[str | None, int]]:
    """Display names (None: not assigned) and their overdue cases, the most first."""
    return list(db.session.execute(
        select(User.display_name, func.count(Case.id)).outerjoin(User, User.id == Case.assignee_id)
        .where(*_overdue_now(scope)).group_by(User.id, User.display_name)
        .order_by(func.count(Case.id).desc(), User.display_name)).tuples().all())


# --- Flow ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Week:
    start: date  # its Monday
    received: int
    closed: int


def weekly(scope: Scope) -> list[Week]:
    """Received and closed in each of the WEEKS weeks up to the period's last day."""
    last_monday = scope.last - timedelta(days=scope.last.weekday())
    first = last_monday - timedelta(weeks=WEEKS - 1)
    days = day_table(days_spanning(first, scope.last))

    def per_week(column) -> dict[date, int]:
        return dict(db.session.execute(
            select(days.c.week, func.count()).select_from(Case).join(days, days.c.day == center_date(column))
            .where(_between(column, first, scope.last), *_flow_scope(scope)).group_by(days.c.week)).tuples().all())

    received, closed = per_week(Case.created_at), per_week(Case.closed_at)
    mondays = [first + timedelta(weeks=n) for n in range(WEEKS)]
    return [Week(monday, received.get(monday, 0), closed.get(monday, 0)) for monday in mondays]


@dataclass(frozen=True)
class TypeCounts:
    case_type: str
    received: int
    accepted: int
    closed: int


def counts_per_type(scope: Scope) -> dict[str, TypeCounts]:
    """Received, accepted and closed in the period, per case type. Accepted: taken up by the post from the type's
    first stage to its work (a type whose first stage is the work itself takes a case up as it is received)."""
    received = _count_per_type(Case.created_at, scope)
    closed = _count_per_type(Case.closed_at, scope)
    taken_up = [and_(Case.case_type == t.code, CaseEvent.from_stage == t.initial_stage, CaseEvent.to_stage.in_(codes))
                for t, codes in ((t, _work_after_intake(t)) for t in CASE_TYPES.values()) if codes]
    accepted = dict(db.session.execute(
        select(Case.case_type, func.count(func.distinct(Case.id))).join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(CaseEvent.kind == EventKind.TRANSITION, _between(CaseEvent.created_at, scope.first, scope.last),
               or_(*taken_up), *_flow_scope(scope)).group_by(Case.case_type)).tuples().all())
    return {code: TypeCounts(code, received.get(code, 0), accepted.get(code, 0) if _work_after_intake(
        CASE_TYPES[code]) else received.get(code, 0), closed.get(code, 0)) for code in scope.types}


def _work_after_intake(case_type) -> list[str]:
    """The stages the post's own transitions lead to from the type's first stage, where the center works."""
    return sorted({t.target for t in case_type.transitions if case_type.initial_stage in case_type.sources_of(t)
                   and t.target in {s.code for s in case_type.stages if s.kind.center_deadline}})


def _count_per_type(column, scope: Scope) -> dict[str, int]:
    return dict(db.session.execute(
        select(Case.case_type, func.count()).where(_between(column, scope.first, scope.last), *_flow_scope(scope))
        .group_by(Case.case_type)).tuples().all())


# --- Turnaround ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Turnaround:
    case_type: str
    closed: int
    center_median: int
    center_p90: int
    total_median: int
    total_p90: int
    enterprise_median: int  # the enterprise's own time: apart, the center is judged on the rest


def _stints(cases):
    """Each stage a case of `cases` (id, case_type, patent_kind, channel) entered, with when it entered it and when
    it left it (and for where), from the timeline."""
    following = {"partition_by": CaseEvent.case_id, "order_by": CaseEvent.id}
    return (select(CaseEvent.case_id, cases.c.case_type, cases.c.patent_kind, cases.c.channel,
                   CaseEvent.to_stage.label("stage"),
                   CaseEvent.created_at.label("entered_at"),
                   func.lead(CaseEvent.created_at).over(**following).label("left_at"),
                   func.lead(CaseEvent.to_stage).over(**following).label("next_stage"))
            .join(cases, cases.c.id == CaseEvent.case_id).where(CaseEvent.kind.in_(STAGE_CHANGES))
            .cte("stints"))


def turnaround(scope: Scope) -> list[Turnaround]:
    closed = (select(Case.id, Case.case_type, Case.patent_kind, Case.channel, Case.created_at, Case.closed_at)
              .where(_between(Case.closed_at, scope.first, scope.last), *_flow_scope(scope)).cte("closed_cases"))
    stints, days = _stints(closed), _days(scope)
    entered, left = aliased(days, name="entered_day"), aliased(days, name="left_day")
    waited = (select(stints.c.case_id, func.sum(left.c.number - entered.c.number).label("days"))
              .join(entered, entered.c.day == center_date(stints.c.entered_at))
              .join(left, left.c.day == center_date(stints.c.left_at))
              .where(stages_where(stints.c.case_type, stints.c.stage, lambda kind: kind.asks_enterprise))
              .group_by(stints.c.case_id).cte("waited"))
    submitted, ended = aliased(days, name="submitted_day"), aliased(days, name="closed_day")
    total = ended.c.number - submitted.c.number
    enterprise = func.coalesce(waited.c.days, 0)
    per_case = (select(closed.c.case_type, total.label("total"), enterprise.label("enterprise"),
                       (total - enterprise).label("center"))
                .join(submitted, submitted.c.day == center_date(closed.c.created_at))
                .join(ended, ended.c.day == center_date(closed.c.closed_at))
                .outerjoin(waited, waited.c.case_id == closed.c.id).cte("per_case"))
    ranked = select(per_case, func.count().over(partition_by=per_case.c.case_type).label("n"), *(
        func.row_number().over(partition_by=per_case.c.case_type, order_by=per_case.c[name]).label(f"{name}_rank")
        for name in ("total", "enterprise", "center"))).subquery()

    def percentile(name: str, share: float):
        return _nearest_rank(ranked.c[name], ranked.c[f"{name}_rank"], ranked.c.n, share)

    rows = db.session.execute(select(
        ranked.c.case_type, func.max(ranked.c.n), percentile("center", 0.5), percentile("center", 0.9),
        percentile("total", 0.5), percentile("total", 0.9), percentile("enterprise", 0.5))
        .group_by(ranked.c.case_type))
    found = {row[0]: Turnaround(*row) for row in rows}
    return [found[code] for code in CASE_TYPES if code in found]


# --- Deadline compliance ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Compliance:
    post_code: str
    case_type: str
    month: date
    finished: int
    within: int

    @property
    def share(self) -> float:
        return self.within / self.finished if self.finished else 0.0


def _stage_post(type_column, stage_column):
    """The code of the post owning a stage of a type, in a query."""
    return case(*((and_(type_column == t.code, stage_column == s.code), s.post)
                  for t in CASE_TYPES.values() for s in t.stages if s.post), else_=None)


def _allowance(type_column, stage_column, keyed: dict):
    """The working days a stage of a type allows, in a query; where it depends on the case (`allowance_by`), on
    the column of `keyed` so named. Stages counted in hours are not judged in working days (None)."""
    whens = []
    for t in CASE_TYPES.values():
        for s in t.stages:
            at = and_(type_column == t.code, stage_column == s.code)
            if isinstance(s.allowance, dict):
                whens += [(and_(at, keyed[s.allowance_by] == key), days) for key, days in s.allowance.items()
                          if isinstance(days, int)]
            elif isinstance(s.allowance, int):
                whens.append((at, s.allowance))
    return case(*whens, else_=None)


def compliance(scope: Scope) -> list[Compliance]:
    """Stints at stages run to the center's deadline that ended in the period, per owning post, type and month."""
    moved = (select(CaseEvent.case_id).where(CaseEvent.kind == EventKind.TRANSITION,
                                              _between(CaseEvent.created_at, scope.first, scope.last)))
    cases = (select(Case.id, Case.case_type, Case.patent_kind, Case.channel).where(Case.id.in_(moved),
                                                                                   *_flow_scope(scope))
             .cte("moved_cases"))
    stints, days = _stints(cases), _days(scope)
    entered, left = aliased(days, name="entered_day"), aliased(days, name="left_day")
    post = _stage_post(stints.c.case_type, stints.c.stage)
    allowance = _allowance(stints.c.case_type, stints.c.stage,
                           {"patent_kind": stints.c.patent_kind, "channel": stints.c.channel})
    within = func.sum(case((left.c.number - entered.c.number <= allowance, 1), else_=0))
    judged = [_between(stints.c.left_at, scope.first, scope.last),
              stages_where(stints.c.case_type, stints.c.stage, lambda kind: kind.center_deadline),
              ~stages_where(stints.c.case_type, stints.c.next_stage, lambda kind: kind.pauses_clock)]
    if scope.posts is not None:
        judged.append(post.in_(scope.post_codes))
    rows = db.session.execute(
        select(post, stints.c.case_type, left.c.month, func.count(), within)
        .join(entered, entered.c.day == center_date(stints.c.entered_at))
        .join(left, left.c.day == center_date(stints.c.left_at))
        .where(*judged).group_by(post, stints.c.case_type, left.c.month)
        .order_by(post, stints.c.case_type, left.c.month))
    return [Compliance(*row) for row in rows]


# --- Fast pre-examination --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PreExamination:
    received: int
    passed: int
    refused: int
    decision_median: int | None  # working days from submission to the decision
    granted: int
    grant_median: int | None  # calendar days from forwarding to the grant

    @property
    def pass_rate(self) -> float | None:
        decided = self.passed + self.refused
        return self.passed / decided if decided else None


@dataclass(frozen=True)
class EnterprisePasses:
    organisation: Organisation
    requests: int
    passed: int
    refused: int

    @property
    def pass_rate(self) -> float | None:
        decided = self.passed + self.refused
        return self.passed / decided if decided else None

    def over(self, failure_threshold: float) -> bool:
        """Refused more than the threshold's share of its decisions (the province suspends above one half)."""
        rate = self.pass_rate
        return rate is not None and 1 - rate > failure_threshold


def _pre_examination_events(actions, scope: Scope, first: date | None = None):
    return (select(CaseEvent.case_id, CaseEvent.action, CaseEvent.created_at, Case.created_at.label("submitted_at"),
                   Case.organisation_id)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.case_type == PRE_EXAMINATION, CaseEvent.action.in_(actions),
                   _between(CaseEvent.created_at, first or scope.first, scope.last)))


def pre_examination(scope: Scope) -> PreExamination | None:
    """The fast channel's figures; None when the scope leaves its type out."""
    if PRE_EXAMINATION not in scope.types:
        return None
    received = db.session.execute(select(func.count()).where(
        Case.case_type == PRE_EXAMINATION, _between(Case.created_at, scope.first, scope.last))).scalar_one()
    days = _days(scope)
    decisions = _pre_examination_events((PASS, NOT_ACCEPT), scope).subquery()
    submitted, decided = aliased(days, name="submitted_day"), aliased(days, name="decided_day")
    waited = (decided.c.number - submitted.c.number).label("waited")
    ranked = (select(decisions.c.action, waited, func.row_number().over(order_by=waited).label("rank"),
                     func.count().over().label("n"))
              .join(submitted, submitted.c.day == center_date(decisions.c.submitted_at))
              .join(decided, decided.c.day == center_date(decisions.c.created_at)).subquery())
    passed, refused, decision_median = db.session.execute(select(
        func.count(case((ranked.c.action == PASS, 1))), func.count(case((ranked.c.action == NOT_ACCEPT, 1))),
        _nearest_rank(ranked.c.waited, ranked.c.rank, ranked.c.n, 0.5))).one()
    granted, grant_median = _grants(scope, days)
    return PreExamination(received, passed, refused, decision_median, granted, grant_median)


def _grants(scope: Scope, days) -> tuple[int, int | None]:
    grants = _pre_examination_events((GRANT,), scope).subquery()
    forwarded_at = (select(func.max(CaseEvent.created_at)).where(CaseEvent.case_id == grants.c.case_id,
                                                                  CaseEvent.action == FORWARD,
                                                                  CaseEvent.created_at <= grants.c.created_at)
                    .scalar_subquery())
    forwarded, granted = aliased(days, name="forwarded_day"), aliased(days, name="granted_day")
    took = (granted.c.serial - forwarded.c.serial).label("took")
    ranked = (select(took, func.row_number().over(order_by=took).label("rank"), func.count().over().label("n"))
              .select_from(grants).join(granted, granted.c.day == center_date(grants.c.created_at))
              .join(forwarded, forwarded.c.day == center_date(forwarded_at)).subquery())
    count = db.session.execute(select(func.count()).select_from(grants)).scalar_one()
    return count, db.session.scalar(select(_nearest_rank(ranked.c.took, ranked.c.rank, ranked.c.n, 0.5)))


def pre_examination_per_enterprise(scope: Scope) -> list[EnterprisePasses]:
    """Each enterprise's requests and decisions over the 12 months up to the period's end, the most requests first."""
    if PRE_EXAMINATION not in scope.types:
        return []
    first = twelve_months_to(scope.last)
    requests = (select(Case.organisation_id, func.count().label("requests"))
                .where(Case.case_type == PRE_EXAMINATION, _between(Case.created_at, first, scope.last))
                .group_by(Case.organisation_id).subquery())
    events = _pre_examination_events((PASS, NOT_ACCEPT), scope, first).subquery()
    decisions = (select(events.c.organisation_id,
                        func.count(case((events.c.action == PASS, 1))).label("passed"),
                        func.count(case((events.c.action == NOT_ACCEPT, 1))).label("refused"))
                 .group_by(events.c.organisation_id).subquery())
    rows = db.session.execute(
        select(Organisation, func.coalesce(requests.c.requests, 0), func.coalesce(decisions.c.passed, 0),
               func.coalesce(decisions.c.refused, 0))
        .outerjoin(requests, requests.c.organisation_id == Organisation.id)
        .outerjoin(decisions, decisions.c.organisation_id == Organisation.id)
        .where(or_(requests.c.requests.is_not(None), decisions.c.passed.is_not(None)))
        .order_by(func.coalesce(requests.c.requests, 0).desc(), Organisation.name_zh))
    return [EnterprisePasses(*row) for row in rows]


# --- Satisfaction ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Satisfaction:
    case_type: str
    post_code: str | None  # the post of the stage the case closed from
    month: date  # of the answer
    answers: int
    score_total: int

    @property
    def mean(self) -> float:
        return round(self.score_total / self.answers, 2)


def satisfaction(scope: Scope) -> list[Satisfaction]:
    """The enterprises' answers given in the period (1 to 5), per case type, owning post and month: the post is the
    one owning the stage the case closed from, at its latest closing before the answer."""
    closing = aliased(CaseEvent, name="closing")
    last_closing = (select(func.max(closing.id)).where(
        closing.case_id == SatisfactionAnswer.case_id, closing.kind == EventKind.TRANSITION,
        closing.created_at <= SatisfactionAnswer.answered_at,
        stages_where(Case.case_type, closing.to_stage, lambda kind: not kind.open)).scalar_subquery())
    answers = (select(Case.case_type, CaseEvent.from_stage, SatisfactionAnswer.score, SatisfactionAnswer.answered_at)
               .join(Case, Case.id == SatisfactionAnswer.case_id).join(CaseEvent, CaseEvent.case_id == Case.id)
               .where(CaseEvent.id == last_closing, _between(SatisfactionAnswer.answered_at, scope.first, scope.last),
                      *_flow_scope(scope))
               .subquery())
    post, days = _stage_post(answers.c.case_type, answers.c.from_stage), _days(scope)
    rows = db.session.execute(
        select(answers.c.case_type, post, days.c.month, func.count(), func.sum(answers.c.score))
        .join(days, days.c.day == center_date(answers.c.answered_at))
        .where(*([post.in_(scope.post_codes)] if scope.posts is not None else []))
        .group_by(answers.c.case_type, post, days.c.month).order_by(answers.c.case_type, post, days.c.month))
    return [Satisfaction(*row) for row in rows]


# --- Demonstration units ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitFigures:
    unit: DemonstrationUnit
    delegated: int  # in the period
    open_delegations: int  # now
    last_report: date | None
    report_age: int | None  # working days since the last report

    def quiet(self, days: int) -> bool:
        """Holding open work with no report for more than `days` working days (or none at all)."""
        return self.open_delegations > 0 and (self.report_age is None or self.report_age > days)


def units(scope: Scope) -> list[UnitFigures]:
    delegated = (select(CaseEvent.unit_id, func.count().label("count")).join(Case, Case.id == CaseEvent.case_id)
                 .where(CaseEvent.kind == EventKind.DELEGATED,
                        _between(CaseEvent.created_at, scope.first, scope.last), *_flow_scope(scope))
                 .group_by(CaseEvent.unit_id).subquery())
    holding = (select(Case.delegated_unit_id, func.count().label("count"))
               .where(Case.closed_at.is_(None), Case.delegated_unit_id.is_not(None), *_now_scope(scope))
               .group_by(Case.delegated_unit_id).subquery())
    reported = (select(CaseEvent.unit_id, func.max(CaseEvent.created_at).label("at"))
                .where(CaseEvent.kind == EventKind.PROGRESS_REPORT).group_by(CaseEvent.unit_id).subquery())
    days = _days(scope)
    report_day, today = aliased(days, name="report_day"), aliased(days, name="today")
    rows = db.session.execute(
        select(DemonstrationUnit, func.coalesce(delegated.c.count, 0), func.coalesce(holding.c.count, 0),
               report_day.c.day, today.c.number - report_day.c.number)
        .outerjoin(delegated, delegated.c.unit_id == DemonstrationUnit.id)
        .outerjoin(holding, holding.c.delegated_unit_id == DemonstrationUnit.id)
        .outerjoin(reported, reported.c.unit_id == DemonstrationUnit.id)
        .outerjoin(report_day, report_day.c.day == center_date(reported.c.at))
        .join(today, today.c.day == literal(scope.today))
        .where(DemonstrationUnit.active).order_by(DemonstrationUnit.name_zh))
    return [UnitFigures(*row) for row in rows]


# --- Everything at once ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Board:
    """Every figure of one scope: what the dashboard shows and the report writes."""

    scope: Scope
    open_by_stage: list[StageCount]
    overdue_per_post: list[tuple[Post, int]]
    overdue_per_assignee: list[tuple[str | None, int]]
    overdue_per_type: dict[str, int]
    weeks: list[Week]
    counts: dict[str, TypeCounts]
    turnaround: list[Turnaround]
    compliance: list[Compliance]
    pre_examination: PreExamination | None
    enterprises: list[EnterprisePasses]
    units: list[UnitFigures]
    satisfaction: list[Satisfaction]

    def compliance_by(self, *fields: str) -> dict:
        """Stints finished and within their allowance, summed by the values of `fields` (post_code, case_type,
        month): one field's value, or a tuple of several."""
        sums: dict = {}
        for row in self.compliance:
            values = tuple(getattr(row, name) for name in fields)
            key = values[0] if len(values) == 1 else values
            finished, within = sums.get(key, (0, 0))
            sums[key] = (finished + row.finished, within + row.within)
        return sums

    def satisfaction_by_type(self) -> dict[str, tuple[int, float]]:
        """The answers and their mean score per case type, over the whole period."""
        sums: dict[str, tuple[int, int]] = {}
        for row in self.satisfaction:
            answers, total = sums.get(row.case_type, (0, 0))
            sums[row.case_type] = (answers + row.answers, total + row.score_total)
        return {code: (answers, round(total / answers, 2)) for code, (answers, total) in sums.items()}


def board(scope: Scope) -> Board:
    return Board(scope, open_by_stage(scope), overdue_per_post(scope), overdue_per_assignee(scope),
                 overdue_per_type(scope), weekly(scope), counts_per_type(scope), turnaround(scope),
                 compliance(scope), pre_examination(scope), pre_examination_per_enterprise(scope), units(scope),
                 satisfaction(scope))
