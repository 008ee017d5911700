"""Demonstration history: the center's last six months of closed cases, so the dashboard and the monthly report
have something to count. Each case follows its type's own path to closing (a refusal now and then; corrections
and requests for materials along the way), each stage taking about its allowance in working days, some longer;
its timeline is written with those past dates (a timeline is never rewritten, so the entries are made dated).
Most enterprises then say how satisfied they are, a few days after the closing.
"""
import random
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from ..accounts.models import User
from ..calendar import CENTER_ZONE, add_working_days, center_today, is_working_day
from ..extensions import db
from ..organisations.models import DemonstrationUnit, Organisation
from .models import Case, CaseEvent, EventKind, SatisfactionAnswer
from .operations import next_reference
from .stints import recount as recount_stints
from .workflow import AWAITING_MATERIALS, CASE_TYPES, CLOSED, CaseType, stage_allowance

WEEKS = 26
PER_WEEK = 6
SHARES = {"fast_pre_examination": 5, "fast_retrieval": 3, "consultation": 3, "patent_filing": 2,
          "foreign_assistance": 1}  # the fast channel is most of a Guzhen center's work
PATENT_OFFICE_STAGES = {"under_examination", "forwarded"}  # long waits: kept to a demo's few weeks


def add_history(enterprises: list[Organisation], staff_by_post: dict[str, User], units: list[DemonstrationUnit],
                requests: dict[str, dict], chance: random.Random | None = None) -> int:
    """Add the closed cases of the last WEEKS weeks; returns how many."""
    chance = chance or random.Random(2026)
    opinions = random.Random(14)  # apart from `chance`: the answers leave the history itself as it was
    today, written = center_today(), []
    start = today - timedelta(weeks=WEEKS)
    kinds = [code for code, weight in SHARES.items() for _ in range(weight)]
    for offset in range(WEEKS * 7):
        day = start + timedelta(days=offset)
        if not is_working_day(day):
            continue
        for _ in range(chance.randint(0, 2 * PER_WEEK // 5)):
            code = chance.choice(kinds)
            timeline = _timeline(CASE_TYPES[code], day, chance, requests[code].get("patent_kind"))
            if timeline[-1][0] < today:  # closed before today: history; the live demo cases show the rest
                case = _write(code, timeline, chance.choice(enterprises), staff_by_post, chance.choice(units),
                              requests)
                _answer(case, timeline[-1][0], opinions, today)
                written.append(case)
    db.session.flush()
    recount_stints([case.id for case in written])  # written dated, not walked: counted as the engine would
    return len(written)


def _timeline(case_type: CaseType, submitted: date, chance: random.Random, patent_kind: str | None
              ) -> list[tuple[date, str | None, str | None, str]]:
    """(day, action, from stage, to stage) from submission to closing."""
    day, stage = submitted, case_type.initial_stage
    timeline: list[tuple[date, str | None, str | None, str]] = [(day, None, None, stage)]
    while stage != CLOSED and case_type.stage(stage).kind.open:
        transition = _next_step(case_type, stage, chance)
        day = add_working_days(day, _days_at(case_type, stage, chance, patent_kind))
        if transition.action in ("request_corrections", "request_materials"):
            answer = "answer_corrections" if transition.action == "request_corrections" else "provide_materials"
            answered = add_working_days(day, chance.randint(1, 6))
            timeline += [(day, transition.action, stage, transition.target),
                         (answered, answer, transition.target, stage)]
            day = answered
            continue
        timeline.append((day, transition.action, stage, transition.target))
        stage = transition.target
    return timeline


def _next_step(case_type: CaseType, stage: str, chance: random.Random):
    """Along the main path mostly; now and then a correction, a request for materials or a refusal."""
    steps = {t.action: t for t in case_type.transitions_from(stage)}
    path = case_type.main_path
    onward = next((t for t in steps.values() if stage in path and t.target in path
                   and path.index(t.target) > path.index(stage)), None)
    for action, odds in (("request_corrections", 0.3), ("request_materials", 0.1), ("not_accept", 0.08),
                         ("record_refusal", 0.15)):
        if action in steps and chance.random() < odds:
            return steps[action]
    return onward or steps.get("close") or next(iter(steps.values()))


def _days_at(case_type: CaseType, stage: str, chance: random.Random, patent_kind: str | None) -> int:
    if stage in PATENT_OFFICE_STAGES:
        return chance.randint(8, 25)
    allowance = stage_allowance(case_type.stage(stage), SimpleNamespace(patent_kind=patent_kind, channel="ordinary"))
    allowance = allowance if isinstance(allowance, int) else 2
    return max(1, round(allowance * chance.choice((0.4, 0.7, 1.0, 1.0, 1.3, 1.8))))


def _at(day: date, step: int) -> datetime:
    """A time on `day` that comes later with each step of the timeline (a day may hold several)."""
    return datetime.combine(day, time(9), CENTER_ZONE) + timedelta(minutes=25 * step)


def _write(code: str, timeline, organisation: Organisation, staff_by_post: dict[str, User],
           unit: DemonstrationUnit, requests: dict[str, dict]) -> Case:
    case_type = CASE_TYPES[code]
    submitted, *_ = timeline[0]
    last_day, last_action, _, last_stage = timeline[-1]
    outcomes = {t.action: t.outcome.code for t in case_type.transitions if t.outcome}
    reached = [outcomes[action] for _, action, _, _ in timeline if action in outcomes]
    case = Case(reference=next_reference(submitted), case_type=code, organisation=organisation,
                submitter=organisation.users[0], stage=last_stage, created_at=_at(submitted, 0),
                closed_at=_at(last_day, len(timeline)), outcome=reached[-1] if reached else None,
                **requests[code])
    db.session.add(case)
    for number, (day, action, source, target) in enumerate(timeline):
        kind = EventKind.SUBMITTED if action is None else EventKind.TRANSITION
        worker = staff_by_post.get(case_type.stage(source).post or "") if source else None
        enterprise_acts = action in ("answer_corrections", "provide_materials", "confirm_draft", None)
        db.session.add(CaseEvent(case=case, kind=kind, action=action, from_stage=source, to_stage=target,
                                 public=True, created_at=_at(day, number),
                                 actor=case.submitter if enterprise_acts else worker))
    if code == "patent_filing" and AWAITING_MATERIALS not in {t for *_, t in timeline}:
        _delegate(case, timeline, unit, staff_by_post)
    return case


# What enterprises write beside their score, by score; refused requests are rated lower.
COMMENTS = {1: ["不予受理的理由没有提前说明，白白准备了材料。"], 2: ["结果不理想，希望补正要求能一次讲清楚。"],
            3: ["办理还算及时，但进度查询不够方便。"], 4: ["工作人员专业，沟通及时。", "比预期快，感谢。"],
            5: ["非常快，新品赶上了展会。", "全程指导细致耐心，非常满意！"]}
SCORE_ODDS = {"refused": (3, 4, 3, 2, 1), "not_accepted": (3, 4, 3, 2, 1)}
USUAL_ODDS = (0, 1, 2, 7, 8)


def _answer(case: Case, closed: date, opinions: random.Random, today: date) -> None:
    """Most enterprises answer the question asked at the closing, within a few working days; some write why."""
    if case.stage not in case.workflow.rated_endings or opinions.random() < 0.3:
        return
    day = add_working_days(closed, opinions.randint(1, 4))
    if day >= today:
        return
    score = opinions.choices(range(1, 6), weights=SCORE_ODDS.get(case.outcome or "", USUAL_ODDS))[0]
    comment = opinions.choice(COMMENTS[score]) if opinions.random() < 0.5 else ""
    db.session.add(SatisfactionAnswer.about(case, case.submitter, score, comment, _at(day, 2)))


def _delegate(case: Case, timeline, unit: DemonstrationUnit, staff_by_post: dict[str, User]) -> None:
    """Drafting went to a patent agency, which reported half-way."""
    drafting = next((day for day, _, _, target in timeline if target == "drafting"), None)
    if drafting is None or not unit.reporters:
        return
    db.session.add_all([
        CaseEvent(case=case, kind=EventKind.DELEGATED, unit=unit, public=False, comment="请撰写申请文件。",
                  actor=staff_by_post.get("filing"), created_at=_at(drafting, 3)),
        CaseEvent(case=case, kind=EventKind.PROGRESS_REPORT, unit=unit, percent=50, public=False,
                  comment="初稿已完成。", actor=unit.reporters[0], created_at=_at(add_working_days(drafting, 3), 4)),
    ])
