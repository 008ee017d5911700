"""How long each case spent at each stage and in all: the timeline counted in working days, kept for the figures.

A *stint* is a case's stay at one stage, from the timeline entry that brought it there to the one that took it
on; a *turnaround* is a closed case's stay from submission to closing. Both are counted here, by one rule, from
the timeline and the working calendar (the center's schedules, the package, Monday to Friday beyond), and kept
in two narrow tables the dashboard and the monthly report add up: so a figure over a million cases reads
indexed rows instead of ranking every timeline entry and looking up every date. They are counted again

- for a case at each step the engine takes (`cases.operations`),
- for the cases across the dates of a schedule the center changes (`working_calendar.operations`),
- for every case by `flask cases recount-stints`, and by whatever writes timelines without the engine (the
  demo's history, the migration that made the tables, the benchmark's fill).
"""
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    text,
    true,
    union,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column

from ..calendar import CENTER_ZONE, center_schedules, read_schedules
from ..extensions import Model, db
from ..working_days import center_date, day_table, days_numbered
from .models import Case, CaseEvent, EventKind, stages_where
from .workflow import CASE_TYPES, stage_allowance

STAGE_CHANGES = (EventKind.SUBMITTED, EventKind.TRANSITION)  # the timeline entries that enter a stage


class StageStint(Model):
    """A finished stay of a case at a stage (the stage it is at now is not finished: not here)."""

    __tablename__ = "stage_stints"
    __table_args__ = (
        # A case's stays (counted again; a grant's forwarding), on PostgreSQL from the index alone.
        Index("ix_stage_stints_case_id", "case_id", postgresql_include=["stage", "next_stage", "left_on"]),
        # Deadline compliance: the stints finished in a period, per post, type and whether within the allowance.
        Index("ix_stage_stints_left", "left_on", "post", "case_type", "within"),
        # Where stays led in a period: the cases accepted, the fast channel's decisions (per enterprise too) and
        # grants; on PostgreSQL from the index alone.
        Index("ix_stage_stints_led_to", "next_stage", "left_on", postgresql_include=[
            "case_type", "stage", "case_id", "organisation_id", "entered_on", "since_submission"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    case_type: Mapped[str] = mapped_column(String(30))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # the enterprise's case
    stage: Mapped[str] = mapped_column(String(40))
    next_stage: Mapped[str] = mapped_column(String(40))
    post: Mapped[str | None] = mapped_column(String(40))  # the code of the post owning the stage
    entered_on: Mapped[date] = mapped_column(Date)  # center dates
    left_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)  # after the day it entered, up to the day it left
    since_submission: Mapped[int] = mapped_column(Integer)  # working days from the case's submission to leaving
    # Judged against the stage's allowance in working days: whether it kept it. None when not judged: a stage
    # without the center's deadline, one counted in hours, or a stay the enterprise's pause cut short (the
    # stay after the pause is judged).
    within: Mapped[bool | None] = mapped_column(Boolean)
    waiting: Mapped[bool] = mapped_column(Boolean)  # the enterprise's time: the stage asked it something


class CaseTurnaround(Model):
    """A closed case's working days from submission to closing, and of them the enterprise's."""

    __tablename__ = "case_turnarounds"
    __table_args__ = (Index("ix_case_turnarounds_closed", "closed_on", "case_type", "working_days",
                            "enterprise_days"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(30))
    submitted_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    enterprise_days: Mapped[int] = mapped_column(Integer)


def stage_post(type_column, stage_column):
    """The code of the post owning a stage of a type, in a query."""
    return case(*((and_(type_column == t.code, stage_column == s.code), s.post)
                  for t in CASE_TYPES.values() for s in t.stages if s.post), else_=None)


def allowance_in_query(type_column, stage_column, keyed: dict):
    """The working days a stage of a type allows, in a query, as `workflow.stage_allowance` gives them: where they
    depend on the case (`allowance_by`), on the column of `keyed` so named, and the most the stage allows for a
    case without that value. Stages counted in hours are not judged in working days (None)."""
    whens = []
    for t in CASE_TYPES.values():
        for s in t.stages:
            at = and_(type_column == t.code, stage_column == s.code)
            allowed = stage_allowance(s, None)  # for a case without the value it depends on
            if isinstance(s.allowance, dict):
                whens += [(and_(at, keyed[s.allowance_by] == key), days if isinstance(days, int) else None)
                          for key, days in s.allowance.items()]
            if isinstance(allowed, int):
                whens.append((at, allowed))
    return case(*whens, else_=None)


def recount(case_ids: Sequence[int] | None = None, bind=None) -> None:
    """Count again the stints and turnarounds of the cases `case_ids` (None: every case), through `bind` (a
    connection; None: the app's session)."""
    bind = db.session if bind is None else bind
    chosen = (lambda column: column.in_(case_ids)) if case_ids is not None else (lambda column: true())
    _lock(case_ids, bind)
    bind.execute(delete(StageStint).where(chosen(StageStint.case_id)))
    bind.execute(delete(CaseTurnaround).where(chosen(CaseTurnaround.case_id)))
    dates = _dates_counted(chosen, bind)
    if not dates:
        return
    schedules = center_schedules() if bind is db.session else read_schedules(bind)
    days = day_table(days_numbered(dates, schedules))
    bind.execute(_stints_insert(chosen, days))
    bind.execute(_turnarounds_insert(chosen, days))


def _lock(case_ids, bind) -> None:
    """On PostgreSQL, hold the cases (every case: the tables) until the transaction ends, so that two counts of
    one case (a step and a calendar change) take turns: the second deletes what the first wrote. SQLite has one
    writer at a time."""
    if (getattr(bind, "dialect", None) or bind.get_bind().dialect).name != "postgresql":
        return
    if case_ids is None:
        bind.execute(text("LOCK TABLE stage_stints, case_turnarounds IN SHARE ROW EXCLUSIVE MODE"))
    else:
        bind.execute(select(Case.id).where(Case.id.in_(case_ids)).with_for_update(key_share=True))


def _dates_counted(chosen, bind) -> list[date]:
    """The center dates the counts look up: the cases' submissions, stage changes and closings."""
    dated = union(select(center_date(CaseEvent.created_at).label("day"))
                  .where(CaseEvent.kind.in_(STAGE_CHANGES), chosen(CaseEvent.case_id)),
                  select(center_date(Case.created_at)).where(chosen(Case.id)),
                  select(center_date(Case.closed_at)).where(Case.closed_at.is_not(None), chosen(Case.id))).subquery()
    return sorted(bind.execute(select(dated.c.day)).scalars())


def _stints_insert(chosen, days):
    following = {"partition_by": CaseEvent.case_id, "order_by": CaseEvent.id}
    stays = (select(CaseEvent.case_id, Case.case_type, Case.organisation_id, Case.patent_kind, Case.channel,
                    center_date(Case.created_at).label("submitted_on"), CaseEvent.to_stage.label("stage"),
                    center_date(CaseEvent.created_at).label("entered_on"),
                    center_date(func.lead(CaseEvent.created_at).over(**following)).label("left_on"),
                    func.lead(CaseEvent.to_stage).over(**following).label("next_stage"))
             .join(Case, Case.id == CaseEvent.case_id)
             .where(CaseEvent.kind.in_(STAGE_CHANGES), chosen(CaseEvent.case_id)).subquery("stays"))
    entered, left = aliased(days, name="entered_day"), aliased(days, name="left_day")
    submitted = aliased(days, name="submitted_day")
    working = left.c.number - entered.c.number
    judged = and_(stages_where(stays.c.case_type, stays.c.stage, lambda kind: kind.center_deadline),
                  ~stages_where(stays.c.case_type, stays.c.next_stage, lambda kind: kind.pauses_clock))
    allowance = allowance_in_query(stays.c.case_type, stays.c.stage,
                                   {"patent_kind": stays.c.patent_kind, "channel": stays.c.channel})
    columns = {
        "case_id": stays.c.case_id, "case_type": stays.c.case_type, "organisation_id": stays.c.organisation_id,
        "stage": stays.c.stage,
        "next_stage": stays.c.next_stage, "post": stage_post(stays.c.case_type, stays.c.stage),
        "entered_on": stays.c.entered_on, "left_on": stays.c.left_on, "working_days": working,
        "since_submission": left.c.number - submitted.c.number,
        "within": case((judged, working <= allowance), else_=None),
        "waiting": stages_where(stays.c.case_type, stays.c.stage, lambda kind: kind.asks_enterprise),
    }
    return insert(StageStint).from_select(list(columns), select(*columns.values())
                                          .join(entered, entered.c.day == stays.c.entered_on)
                                          .join(left, left.c.day == stays.c.left_on)
                                          .join(submitted, submitted.c.day == stays.c.submitted_on))


def _turnarounds_insert(chosen, days):
    waited = (select(StageStint.case_id, func.sum(StageStint.working_days).label("days"))
              .where(StageStint.waiting, chosen(StageStint.case_id)).group_by(StageStint.case_id).subquery())
    submitted, closed = aliased(days, name="submitted_day"), aliased(days, name="closed_day")
    columns = {
        "case_id": Case.id, "case_type": Case.case_type, "submitted_on": submitted.c.day,
        "closed_on": closed.c.day, "working_days": closed.c.number - submitted.c.number,
        "enterprise_days": func.coalesce(waited.c.days, 0),
    }
    return insert(CaseTurnaround).from_select(list(columns), select(*columns.values())
                                              .join(submitted, submitted.c.day == center_date(Case.created_at))
                                              .join(closed, closed.c.day == center_date(Case.closed_at))
                                              .outerjoin(waited, waited.c.case_id == Case.id)
                                              .where(Case.closed_at.is_not(None), chosen(Case.id)))


def recount_between(first: date, last: date) -> None:
    """After the working calendar changed on days from `first` to `last`: the cases whose counts look across them,
    those submitted by `last` that left a stage on or after `first` (a stay's days since submission count them)."""
    end = datetime.combine(last + timedelta(days=1), time(), CENTER_ZONE)
    case_ids = db.session.scalars(select(StageStint.case_id).join(Case, Case.id == StageStint.case_id)
                                  .where(StageStint.left_on >= first, Case.created_at < end).distinct()).all()
    for start in range(0, len(case_ids), RECOUNTED_AT_ONCE):
        recount(case_ids[start:start + RECOUNTED_AT_ONCE])


RECOUNTED_AT_ONCE = 5000  # cases per statement: well under PostgreSQL's 65,535 parameters
