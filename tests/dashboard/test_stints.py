"""The working days each case spent at each stage and in all, which the figures add up: kept by the engine at
every step, equal to a count from the timeline, counted again when the center changes its calendar and by
`flask cases recount-stints`."""
from datetime import date

import pytest
from sqlalchemy import delete, select

from ipcenter.accounts.models import User
from ipcenter.calendar import center_today
from ipcenter.cases.models import Case
from ipcenter.cases.operations import advance_case, submit_case
from ipcenter.cases.stints import CaseTurnaround, StageStint, recount
from ipcenter.dashboard.pre_examination import pre_examination
from ipcenter.dashboard.scope import Scope
from ipcenter.extensions import db
from ipcenter.working_calendar.models import DayKind
from ipcenter.working_calendar.notice import ListedDay
from ipcenter.working_calendar.operations import add_day
from tests.cases.conftest import DETAILS
from tests.cases.test_concurrency import run_together
from tests.dashboard.conftest import SUBMITTED, TRANSITION, dated_case
from tests.dashboard.test_figures import OCTOBER, rows_of

STINT_COLUMNS = (StageStint.stage, StageStint.next_stage, StageStint.post, StageStint.entered_on,
                 StageStint.left_on, StageStint.working_days, StageStint.since_submission, StageStint.within,
                 StageStint.waiting)


def kept(case_id: int) -> tuple[list, list]:
    stints = db.session.execute(select(*STINT_COLUMNS).where(StageStint.case_id == case_id)
                                .order_by(StageStint.left_on, StageStint.id)).all()
    turnaround = db.session.execute(select(CaseTurnaround.working_days, CaseTurnaround.enterprise_days)
                                    .where(CaseTurnaround.case_id == case_id)).all()
    return stints, turnaround


def test_each_step_the_engine_takes_counts_the_stays_as_a_count_from_the_timeline_does(center):
    staff, enterprise = center.staff, center.enterprise
    case = submit_case(enterprise.organisation, enterprise, "fast_pre_examination", DETAILS["fast_pre_examination"])
    assert kept(case.id) == ([], [])  # at its first stage: nothing finished yet
    for action, actor, fields in [
            ("accept", staff["intake"], {}),
            ("request_corrections", staff["pre_examination"], {"comment": "请补正视图"}),
            ("answer_corrections", enterprise, {"comment": "已补正"}),
            ("pass", staff["pre_examination"], {}),
            ("forward", staff["pre_examination"], {"application_number": "202130123456.8"})]:
        advance_case(case, action, actor, **fields)
    db.session.commit()
    today = center_today()
    stints, turnaround = kept(case.id)
    assert [(stint.stage, stint.next_stage, stint.post, stint.within, stint.waiting) for stint in stints] == [
        ("intake", "pre_examination", "intake", True, False),
        ("pre_examination", "corrections_requested", "pre_examination", True, False),
        ("corrections_requested", "pre_examination", "pre_examination", None, True),  # the enterprise's time
        ("pre_examination", "passed", "pre_examination", True, False),
        ("passed", "forwarded", "pre_examination", True, False)]
    assert {(stint.working_days, stint.since_submission) for stint in stints} <= {(0, 0), (1, 1)}
    assert all(stint.left_on >= stint.entered_on >= today.replace(day=1) for stint in stints)
    assert turnaround == []  # still open

    recount()
    assert kept(case.id) == (stints, [])


def test_a_closed_case_has_its_turnaround_and_loses_it_when_reopened(center):
    enterprise, staff = center.enterprise, center.staff["consultation"]
    case = submit_case(enterprise.organisation, enterprise, "consultation", DETAILS["consultation"])
    advance_case(case, "answer", staff, comment="保护期十五年")
    advance_case(case, "close", staff)
    assert kept(case.id)[1] == [(0, 0)]
    advance_case(case, "follow_up", enterprise, comment="还有一个问题")
    stints, turnaround = kept(case.id)
    assert turnaround == [] and [stint.stage for stint in stints] == ["answering", "answered", "closed"]


def test_a_holiday_entered_for_october_counts_octobers_cases_again(client, login_as, center, october):
    # Consultation C waited on the enterprise 14–20 October (4 working days) and took 7 in all; a holiday on
    # Monday the 19th leaves 3 and 6, and the center's own time (3) as it was.
    add_day(2026, ListedDay(date(2026, 10, 19), DayKind.HOLIDAY, "调整假日", "Moved holiday"), center.manager)
    db.session.commit()
    assert kept(october.c.id)[1] == [(6, 3)]
    login_as(center.manager)
    per_kind = rows_of(client.get(OCTOBER).get_data(as_text=True), "per-kind")
    assert per_kind["Consultation"] == ["1", "1", "1", "3", "3", "6", "3"]


def test_flask_cases_recount_stints_counts_every_case_again(runner, center, october):
    db.session.execute(delete(StageStint))
    db.session.execute(delete(CaseTurnaround))
    db.session.commit()
    result = runner.invoke(args=["cases", "recount-stints"])
    assert result.exit_code == 0, result.output
    # A: 7 stays, B: 2, C: 4, D: 1 (E has left none); A, B and C closed.
    assert result.output == "stays at stages: 14, closed cases: 3\n"
    assert kept(october.c.id)[1] == [(7, 4)]


def test_a_case_asked_for_materials_after_passing_has_passed_once(center):
    staff, enterprise = center.staff["pre_examination"], center.enterprise
    case = submit_case(enterprise.organisation, enterprise, "fast_pre_examination", DETAILS["fast_pre_examination"])
    advance_case(case, "accept", center.staff["intake"])
    advance_case(case, "pass", staff)
    advance_case(case, "request_materials", staff, comment="请提供产品照片")
    advance_case(case, "provide_materials", enterprise, comment="已上传")
    assert case.stage == "passed"
    today = center_today()
    figures = pre_examination(Scope(first=today.replace(day=1), last=today, today=today))
    assert (figures.passed, figures.refused) == (1, 0)


def test_a_stage_whose_allowance_depends_on_what_the_case_lacks_is_judged_by_the_most_it_allows(center):
    # Forwarded to the patent office, the fast channel allows 10 to 66 working days by the patent's kind; a case
    # without one has the most, as its due date had.
    case = dated_case(center, "ZS-2026-900009", "fast_pre_examination", center.enterprise, [
        (10, 8, SUBMITTED, None, None, "forwarded"),
        (10, 30, TRANSITION, "record_grant", "forwarded", "granted")], patent_kind=None)
    db.session.flush()
    recount([case.id])
    assert [(stint.stage, stint.within) for stint in kept(case.id)[0]] == [("forwarded", True)]


def test_a_step_and_a_count_of_every_case_at_once_leave_each_stay_once(app, center):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serialises every write")
    enterprise = center.enterprise
    cases = [submit_case(enterprise.organisation, enterprise, "consultation", DETAILS["consultation"])
             for _ in range(3)]
    for case in cases:
        advance_case(case, "answer", center.staff["consultation"], comment="保护期十五年")
    db.session.commit()
    case_id, staff_id = cases[0].id, center.staff["consultation"].id

    def step(barrier):
        barrier.wait()
        advance_case(db.session.get(Case, case_id), "close", db.session.get(User, staff_id))

    def count_every_case(barrier):
        barrier.wait()
        recount()

    assert run_together(app, [step, count_every_case]) == [None, None]
    db.session.expire_all()
    stays = db.session.execute(select(StageStint.case_id, StageStint.stage)).all()
    assert sorted(stays) == sorted([(case.id, "answering") for case in cases] + [(case_id, "answered")])
    assert db.session.scalars(select(CaseTurnaround.case_id)).all() == [case_id]
