"""October 2026, counted by hand: four cases with known stages, dates, a pause and a correction, on a 2026
schedule the center entered itself (National Day 1–7 October, a make-up working Saturday on the 10th, and a
local holiday on Monday the 12th that the package does not know).

Working days (after the first day, up to and including the second) on that schedule:
- A, fast pre-examination of enterprise 1: submitted 30 Sep; accepted 8 Oct (1); corrections asked 9 Oct (1);
  answered 13 Oct (2: the 10th worked, the 12th off); passed 14 Oct (1); forwarded 15 Oct (1); granted 26 Oct
  (7; 11 calendar days after forwarding); closed 27 Oct (1). Total 14, the enterprise's 2, the center's 12.
- B, fast pre-examination of enterprise 2: submitted 8 Oct; accepted 9 Oct (1); not accepted 16 Oct (5: the
  10th, 13th–16th; over the pre-examination's 3). Total 6, the center's 6. Decided in 6; A in 5.
- C, consultation of enterprise 1: submitted 13 Oct; materials asked 14 Oct (1); sent 20 Oct (4); answered
  21 Oct (1); closed 22 Oct (1). Total 7, the enterprise's 4, the center's 3.
- D, patent filing of enterprise 2: submitted 20 Oct; accepted 21 Oct (1); delegated to the unit 22 Oct, which
  reported 23 Oct; drafting, assigned, due three days ago: overdue now.
- Outside the month: E, a consultation submitted 2 Nov.
Stints judged in October: intake A, B, D (3, all within); pre-examination post A ×2, passed, forwarded and B's
pre-examination (5, 4 within); consultation C's answering after the pause (1, within; the stint the pause cut is
not judged). "Today" is 26 Nov 2026: the unit's report is 24 working days old.

Satisfaction (each answer counts for the post owning the stage its case closed from, in the month of the answer,
the center's month): B's enterprise answered 2 on 19 Oct (not accepted at pre-examination: the pre-examination
post); C's 4 on 23 Oct (closed from answered: the consultation post); A's 5 at 00:30 on 1 Nov in Zhongshan, still
31 Oct in UTC (closed from granted: the pre-examination post). So October: fast pre-examination 1 answer, mean
2.00, pre-examination post; consultation 1, 4.00, consultation post. November: fast pre-examination 1, 5.00. Over
1 Oct to 26 Nov, fast pre-examination: 2 answers, mean 3.50.
"""
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from ipcenter.calendar import CENTER_ZONE
from ipcenter.cases.models import Case, CaseEvent, EventKind, SatisfactionAnswer
from ipcenter.cases.stints import recount as recount_stints
from ipcenter.extensions import db
from ipcenter.working_calendar.models import DayKind
from ipcenter.working_calendar.notice import ListedDay
from ipcenter.working_calendar.operations import replace_schedule
from tests.cases.conftest import DETAILS, center  # noqa: F401 (the fixture)

TODAY = date(2026, 11, 26)
SUBMITTED, TRANSITION = EventKind.SUBMITTED, EventKind.TRANSITION
SCHEDULE_2026 = [
    *(ListedDay(date(2026, 10, day), DayKind.HOLIDAY, "国庆节", "National Day") for day in range(1, 8)),
    ListedDay(date(2026, 10, 10), DayKind.MAKE_UP_WORKDAY, "国庆节调休", "National Day make-up"),
    ListedDay(date(2026, 10, 12), DayKind.HOLIDAY, "地方假日", "Local holiday"),
]


def at(month: int, day: int) -> datetime:
    return datetime.combine(date(2026, month, day), time(10), CENTER_ZONE)


def dated_case(center, reference, case_type, enterprise, timeline, **columns) -> Case:
    """A case with its timeline: (month, day, kind, action, from, to), the first its submission."""
    (month, day, *_), last = timeline[0], timeline[-1]
    case = Case(reference=reference, case_type=case_type, organisation=enterprise.organisation,
                submitter=enterprise, stage=last[5], created_at=at(month, day),
                **{**DETAILS[case_type], **columns})
    db.session.add(case)
    for month, day, kind, action, source, target in timeline:
        db.session.add(CaseEvent(case=case, kind=kind, action=action, from_stage=source, to_stage=target,
                                 public=True, created_at=at(month, day), actor=enterprise))
    return case


@pytest.fixture
def october(center, monkeypatch):
    for module in ("ipcenter.dashboard.forms", "ipcenter.dashboard.cli"):
        monkeypatch.setattr(f"{module}.center_today", lambda: TODAY)
    replace_schedule(2026, SCHEDULE_2026, None)
    one, two = center.enterprise, center.other_enterprise
    cases = SimpleNamespace()
    cases.a = dated_case(center, "ZS-2026-900001", "fast_pre_examination", one, [
        (9, 30, SUBMITTED, None, None, "intake"),
        (10, 8, TRANSITION, "accept", "intake", "pre_examination"),
        (10, 9, TRANSITION, "request_corrections", "pre_examination", "corrections_requested"),
        (10, 13, TRANSITION, "answer_corrections", "corrections_requested", "pre_examination"),
        (10, 14, TRANSITION, "pass", "pre_examination", "passed"),
        (10, 15, TRANSITION, "forward", "passed", "forwarded"),
        (10, 26, TRANSITION, "record_grant", "forwarded", "granted"),
        (10, 27, TRANSITION, "close", "granted", "closed")],
        closed_at=at(10, 27), outcome="granted")
    cases.b = dated_case(center, "ZS-2026-900002", "fast_pre_examination", two, [
        (10, 8, SUBMITTED, None, None, "intake"),
        (10, 9, TRANSITION, "accept", "intake", "pre_examination"),
        (10, 16, TRANSITION, "not_accept", "pre_examination", "not_accepted")],
        closed_at=at(10, 16), outcome="not_accepted")
    cases.c = dated_case(center, "ZS-2026-900003", "consultation", one, [
        (10, 13, SUBMITTED, None, None, "answering"),
        (10, 14, TRANSITION, "request_materials", "answering", "awaiting_materials"),
        (10, 20, TRANSITION, "provide_materials", "awaiting_materials", "answering"),
        (10, 21, TRANSITION, "answer", "answering", "answered"),
        (10, 22, TRANSITION, "close", "answered", "closed")],
        closed_at=at(10, 22), outcome="answered")
    cases.d = dated_case(center, "ZS-2026-900004", "patent_filing", two, [
        (10, 20, SUBMITTED, None, None, "intake"),
        (10, 21, TRANSITION, "accept", "intake", "drafting")],
        post=center.posts["filing"], assignee=center.staff["filing"], due_date=TODAY - timedelta(days=3),
        delegated_unit=center.unit)
    db.session.add_all([
        CaseEvent(case=cases.d, kind=EventKind.DELEGATED, unit=center.unit, public=False, created_at=at(10, 22)),
        CaseEvent(case=cases.d, kind=EventKind.PROGRESS_REPORT, unit=center.unit, percent=30, public=True,
                  created_at=at(10, 23), actor=center.reporter)])
    cases.e = dated_case(center, "ZS-2026-900005", "consultation", one, [(11, 2, SUBMITTED, None, None, "answering")],
                    post=center.posts["consultation"])
    db.session.add_all([
        SatisfactionAnswer.about(cases.b, two, 2, "希望先电话沟通", at(10, 19)),
        SatisfactionAnswer.about(cases.c, one, 4, answered_at=at(10, 23)),
        SatisfactionAnswer.about(cases.a, one, 5, answered_at=datetime(2026, 11, 1, 0, 30, tzinfo=CENTER_ZONE))])
    db.session.flush()
    recount_stints()  # written dated, not walked: counted as the engine counts each step
    db.session.commit()
    return cases
