"""The fast pre-examination channel's figures, those a center reports upward: requests received, passed and
refused, the pass rate, working days to a decision, grants and the days from forwarding to a grant; and each
enterprise's requests and pass rate over 12 months (the province sets next year's quota from it, and suspends an
enterprise refused more than half the time)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from ..cases.models import Case
from ..cases.stints import StageStint
from ..cases.workflow import FAST_PRE_EXAMINATION
from ..extensions import db
from ..organisations.models import Organisation
from ..working_days import days_between
from .scope import Scope, between, nearest_ranks, twelve_months_to

PRE_EXAMINATION = FAST_PRE_EXAMINATION.code
_STEPS = {transition.action: transition for transition in FAST_PRE_EXAMINATION.transitions}
PASSED, NOT_ACCEPTED, GRANTED = (_STEPS[action].target for action in ("pass", "not_accept", "record_grant"))


def _step_stays(*actions: str) -> list[tuple[str, str]]:
    """The (stage, next stage) of the stays the steps `actions` end: a decision, not a return to the stage it led
    to (a case that passed, was asked for materials and came back has passed once)."""
    return [(source, _STEPS[action].target) for action in actions
            for source in FAST_PRE_EXAMINATION.sources_of(_STEPS[action])]


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


def _decisions(scope: Scope, first: date | None = None) -> list:
    """The stays at the fast channel's stages that ended in its decision (passed, or not accepted), from `first`
    (by default the period's first day) to the period's end."""
    return [StageStint.case_type == PRE_EXAMINATION, StageStint.next_stage.in_((PASSED, NOT_ACCEPTED)),
            tuple_(StageStint.stage, StageStint.next_stage).in_(_step_stays("pass", "not_accept")),
            StageStint.left_on.between(first or scope.first, scope.last)]


def pre_examination(scope: Scope) -> PreExamination | None:
    """The fast channel's figures; None when the scope leaves its type out."""
    if PRE_EXAMINATION not in scope.types:
        return None
    received = db.session.execute(select(func.count()).where(
        Case.case_type == PRE_EXAMINATION, between(Case.created_at, scope.first, scope.last))).scalar_one()
    decided = dict(db.session.execute(select(StageStint.next_stage, func.count()).where(*_decisions(scope))
                                      .group_by(StageStint.next_stage)).tuples().all())
    decision_median = _median(nearest_ranks(StageStint.since_submission, StageStint.case_type, (0.5,),
                                            *_decisions(scope)))
    grants = _grants(scope)
    took = nearest_ranks(grants.c.took, grants.c.case_type, (0.5,))
    return PreExamination(received, decided.get(PASSED, 0), decided.get(NOT_ACCEPTED, 0), decision_median,
                          took[0][1] if took else 0, _median(took))


def _median(percentiles: list) -> int | None:
    """The median of `nearest_ranks`' one row (one type), if there were any."""
    return percentiles[0][2] if percentiles else None


def _grants(scope: Scope):
    """The grants recorded in the period, each with the calendar days (the patent office's) since the case was
    forwarded to it: since the latest forwarding before the grant, whatever pause came between."""
    forwarding = aliased(StageStint, name="forwarding")
    return (select(StageStint.case_type, days_between(func.max(forwarding.left_on), StageStint.left_on).label("took"))
            .join(forwarding, and_(forwarding.case_id == StageStint.case_id, forwarding.left_on <= StageStint.left_on,
                                   tuple_(forwarding.stage, forwarding.next_stage).in_(_step_stays("forward"))))
            .where(StageStint.case_type == PRE_EXAMINATION, StageStint.next_stage == GRANTED,
                   tuple_(StageStint.stage, StageStint.next_stage).in_(_step_stays("record_grant")),
                   StageStint.left_on.between(scope.first, scope.last))
            .group_by(StageStint.case_id, StageStint.case_type, StageStint.left_on).subquery())


def pre_examination_per_enterprise(scope: Scope) -> list[EnterprisePasses]:
    """Each enterprise's requests and decisions over the 12 months up to the period's end, the most requests first."""
    if PRE_EXAMINATION not in scope.types:
        return []
    first = twelve_months_to(scope.last)
    requests = (select(Case.organisation_id, func.count().label("requests"))
                .where(Case.case_type == PRE_EXAMINATION, between(Case.created_at, first, scope.last))
                .group_by(Case.organisation_id).subquery())
    decisions = (select(StageStint.organisation_id,
                        func.count(case((StageStint.next_stage == PASSED, 1))).label("passed"),
                        func.count(case((StageStint.next_stage == NOT_ACCEPTED, 1))).label("refused"))
                 .where(*_decisions(scope, first)).group_by(StageStint.organisation_id).subquery())
    rows = db.session.execute(
        select(Organisation, func.coalesce(requests.c.requests, 0), func.coalesce(decisions.c.passed, 0),
               func.coalesce(decisions.c.refused, 0))
        .outerjoin(requests, requests.c.organisation_id == Organisation.id)
        .outerjoin(decisions, decisions.c.organisation_id == Organisation.id)
        .where(or_(requests.c.requests.is_not(None), decisions.c.passed.is_not(None)))
        .order_by(func.coalesce(requests.c.requests, 0).desc(), Organisation.name_zh))
    return [EnterprisePasses(*row) for row in rows]
