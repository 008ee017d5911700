"""The figures a protection center is judged by, each one SQL query over a `Scope` (dates, case type, posts).

The dashboard shows them and the monthly report writes them: both read these functions (the fast pre-examination
channel's in `pre_examination.py`), so a chart, its table
and the report's cell are one number. The working days each case spent at each stage and in all are counted as
the engine goes (`cases/stints.py`): the figures add those rows up, a million cases in well under a second.
Definitions:
- *received*: cases submitted in the period; *closed*: cases closed in it.
- *turnaround*: working days from submission to closing, for cases closed in the period; the *enterprise's time*
  is the working days spent at stages where the enterprise was asked something (materials, corrections, a
  draft to confirm), the *center's time* the rest. Medians and 90th percentiles are nearest-rank.
- *deadline compliance*: each stint at a stage run to the center's deadline that ended in the period (but for
  an enterprise's pause: that stint is judged when the case leaves the stage) is *within its allowance* when it
  took no more working days than the stage allows.
- Fast pre-examination: *passed* and *refused* (not accepted) are the decisions made in the period; days to a
  decision are working days from submission; days from forwarding to grant are the calendar days (the patent
  office's) of the stay at the forwarded stage that ended in the grant. Per enterprise: the last 12 months up to
  the period's end.
- *satisfaction*: the enterprises' answers (1 to 5) given in the period to the question asked when a case closes,
  each counted in the month it was given, for the post owning the stage the case closed from.
- The post filter: open cases at the post's stages; cases received and closed of the types the post works on;
  stints at its own stages; answers about closings from its stages.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select, tuple_

from ..accounts.models import User
from ..calendar import CENTER_ZONE, working_days_between
from ..cases.models import Case, CaseEvent, EventKind, SatisfactionAnswer
from ..cases.stints import CaseTurnaround, StageStint
from ..cases.workflow import CASE_TYPES
from ..extensions import db
from ..organisations.models import DemonstrationUnit, Post
from ..working_days import center_date, day_table
from .pre_examination import EnterprisePasses, PreExamination, pre_examination, pre_examination_per_enterprise
from .scope import Scope, between, nearest_ranks, total, types_clause

WEEKS = 26


def _flow_scope(scope: Scope) -> list:
    return types_clause(Case, scope)


def _now_scope(scope: Scope) -> list:
    clauses = types_clause(Case, scope)
    if scope.posts is not None:
        clauses.append(Case.post_id.in_([post.id for post in scope.posts]))
    return clauses


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
    """Received and closed in each week of the period (by default its last WEEKS weeks), each week by its Monday;
    the first and the last week counted only over their days in the period, so that the weeks add up to it."""
    days = day_table(scope.period_days)  # each with its week's Monday
    submitted_on = center_date(Case.created_at)
    received = _per_week(select(submitted_on.label("day"), func.count().label("count"))
                         .where(between(Case.created_at, scope.first, scope.last), *_flow_scope(scope))
                         .group_by(submitted_on), days)
    closed = _per_week(select(CaseTurnaround.closed_on.label("day"), func.count().label("count"))
                       .where(CaseTurnaround.closed_on.between(scope.first, scope.last),
                              *types_clause(CaseTurnaround, scope))
                       .group_by(CaseTurnaround.closed_on), days)
    mondays = sorted({day.week for day in scope.period_days})
    return [Week(monday, received.get(monday, 0), closed.get(monday, 0)) for monday in mondays]


def _per_week(per_day, days) -> dict[date, int]:
    """Counts per day (a query of day and count) summed per week: the days first, so few rows meet the calendar."""
    counted = per_day.subquery()
    return dict(db.session.execute(select(days.c.week, total(counted.c.count)).join(
        days, days.c.day == counted.c.day).group_by(days.c.week)).tuples().all())


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
    closed = dict(db.session.execute(
        select(CaseTurnaround.case_type, func.count()).where(
            CaseTurnaround.closed_on.between(scope.first, scope.last), *types_clause(CaseTurnaround, scope))
        .group_by(CaseTurnaround.case_type)).tuples().all())
    taken_up = [(t.code, t.initial_stage, code) for t in CASE_TYPES.values() for code in _work_after_intake(t)]
    accepted = dict(db.session.execute(
        select(StageStint.case_type, func.count(func.distinct(StageStint.case_id)))
        .where(StageStint.next_stage.in_({code for *_, code in taken_up}),
               StageStint.left_on.between(scope.first, scope.last),
               tuple_(StageStint.case_type, StageStint.stage, StageStint.next_stage).in_(taken_up),
               *types_clause(StageStint, scope)).group_by(StageStint.case_type)).tuples().all())
    return {code: TypeCounts(code, received.get(code, 0), accepted.get(code, 0) if _work_after_intake(
        CASE_TYPES[code]) else received.get(code, 0), closed.get(code, 0)) for code in scope.types}


def _work_after_intake(case_type) -> list[str]:
    """The stages the post's own transitions lead to from the type's first stage, where the center works."""
    return sorted({t.target for t in case_type.transitions if case_type.initial_stage in case_type.sources_of(t)
                   and t.target in {s.code for s in case_type.stages if s.kind.center_deadline}})


def _count_per_type(column, scope: Scope) -> dict[str, int]:
    return dict(db.session.execute(
        select(Case.case_type, func.count()).where(between(column, scope.first, scope.last), *_flow_scope(scope))
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


# The working days each percentile is of, and at which shares (field name: (value, share)).
PERCENTILES = {
    "center_median": ("center", 0.5), "center_p90": ("center", 0.9), "total_median": ("total", 0.5),
    "total_p90": ("total", 0.9), "enterprise_median": ("enterprise", 0.5),
}


def turnaround(scope: Scope) -> list[Turnaround]:
    """Per case type, of the cases closed in the period: how many, and the percentiles of their working days."""
    measures = {"center": CaseTurnaround.working_days - CaseTurnaround.enterprise_days,
                "total": CaseTurnaround.working_days, "enterprise": CaseTurnaround.enterprise_days}
    found: dict[str, dict] = {}
    for name, value in measures.items():
        fields = [field for field, (measure, _) in PERCENTILES.items() if measure == name]
        shares = [PERCENTILES[field][1] for field in fields]
        for case_type, closed, *percentiles in nearest_ranks(
                value, CaseTurnaround.case_type, shares, CaseTurnaround.closed_on.between(scope.first, scope.last),
                *types_clause(CaseTurnaround, scope)):
            found.setdefault(case_type, {"closed": closed}).update(zip(fields, percentiles, strict=True))
    return [Turnaround(code, **found[code]) for code in CASE_TYPES if code in found]


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


def compliance(scope: Scope) -> list[Compliance]:
    """Stints at stages run to the center's deadline that ended in the period, per owning post, type and month."""
    judged = [StageStint.left_on.between(scope.first, scope.last), StageStint.within.is_not(None),
              *types_clause(StageStint, scope)]
    if scope.posts is not None:
        judged.append(StageStint.post.in_(scope.post_codes))
    per_day = (select(StageStint.post, StageStint.case_type, StageStint.left_on, func.count().label("finished"),
                      func.count(case((StageStint.within.is_(True), 1))).label("within"))
               .where(*judged).group_by(StageStint.post, StageStint.case_type, StageStint.left_on).subquery())
    days = day_table(scope.period_days)
    rows = db.session.execute(
        select(per_day.c.post, per_day.c.case_type, days.c.month, total(per_day.c.finished),
               total(per_day.c.within))
        .join(days, days.c.day == per_day.c.left_on).group_by(per_day.c.post, per_day.c.case_type, days.c.month)
        .order_by(per_day.c.post, per_day.c.case_type, days.c.month))
    return [Compliance(*row) for row in rows]


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
    one owning the stage the case closed from, at its latest closing before the answer (kept with the answer)."""
    given = [between(SatisfactionAnswer.answered_at, scope.first, scope.last),
             *types_clause(SatisfactionAnswer, scope)]
    if scope.posts is not None:
        given.append(SatisfactionAnswer.post.in_(scope.post_codes))
    answered_on = center_date(SatisfactionAnswer.answered_at)
    per_day = (select(SatisfactionAnswer.case_type, SatisfactionAnswer.post, answered_on.label("day"),
                      func.count().label("answers"), func.sum(SatisfactionAnswer.score).label("score_total"))
               .where(*given).group_by(SatisfactionAnswer.case_type, SatisfactionAnswer.post, answered_on)
               .subquery())
    days = day_table(scope.period_days)
    rows = db.session.execute(
        select(per_day.c.case_type, per_day.c.post, days.c.month, total(per_day.c.answers),
               total(per_day.c.score_total))
        .join(days, days.c.day == per_day.c.day).group_by(per_day.c.case_type, per_day.c.post, days.c.month))
    order = {code: place for place, code in enumerate(CASE_TYPES)}  # the workflow's, as every other table
    return sorted((Satisfaction(*row) for row in rows),
                  key=lambda row: (order.get(row.case_type, len(order)), row.post_code or "", row.month))


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
                        between(CaseEvent.created_at, scope.first, scope.last), *_flow_scope(scope))
                 .group_by(CaseEvent.unit_id).subquery())
    holding = (select(Case.delegated_unit_id, func.count().label("count"))
               .where(Case.closed_at.is_(None), Case.delegated_unit_id.is_not(None), *_now_scope(scope))
               .group_by(Case.delegated_unit_id).subquery())
    last_report = (select(CaseEvent.created_at).where(CaseEvent.unit_id == DemonstrationUnit.id,
                                                      CaseEvent.kind == EventKind.PROGRESS_REPORT)
                   .order_by(CaseEvent.created_at.desc()).limit(1).scalar_subquery())
    rows = db.session.execute(
        select(DemonstrationUnit, func.coalesce(delegated.c.count, 0), func.coalesce(holding.c.count, 0),
               last_report)
        .outerjoin(delegated, delegated.c.unit_id == DemonstrationUnit.id)
        .outerjoin(holding, holding.c.delegated_unit_id == DemonstrationUnit.id)
        .where(DemonstrationUnit.active).order_by(DemonstrationUnit.name_zh))
    return [UnitFigures(unit, delegated, holding, *_report_age(reported_at, scope.today))
            for unit, delegated, holding, reported_at in rows]


def _report_age(reported_at: datetime | None, today: date) -> tuple[date | None, int | None]:
    """The day of a unit's last report and the working days since (the units are a handful: counted one by one)."""
    if reported_at is None:
        return None, None
    day = reported_at.astimezone(CENTER_ZONE).date()
    return day, working_days_between(day, today)


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
