"""the working calendar kept by the center: each year's schedule and its days; how a due date was counted;
the timeline's entry for a due date moved by a change of the calendar

Open cases get what their due date was counted from: the day their current stage was entered (its timeline
entry) and the working days from it to the due date, on the calendar known when this runs (the package's, or
Monday to Friday), so that entering a year's schedule counts them again.

Revision ID: b8d4f2a6c1e3
Revises: a7c3e9d1f5b8
Create Date: 2026-11-26 10:00:00

"""
from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c1e3'
down_revision = 'a7c3e9d1f5b8'
branch_labels = None
depends_on = None

CENTER_ZONE = ZoneInfo("Asia/Shanghai")
SUBMITTED, TRANSITION, DEADLINE_MOVED = 1, 2, 9
SQLITE_TRIGGERS = [
    "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
    "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END",
    "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events "
    "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END",
]


def upgrade():
    op.create_table(
        'calendar_years',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('source', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('source IN (1, 2)', name=op.f('ck_calendar_years_source_known')),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_calendar_years_year_range')),
        sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_calendar_years_entered_by_id_users')),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years')),
    )
    op.create_table(
        'calendar_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Integer(), nullable=False),
        sa.Column('name_zh', sa.String(length=40), nullable=False),
        sa.Column('name_en', sa.String(length=60), nullable=True),
        sa.CheckConstraint('kind IN (1, 2)', name=op.f('ck_calendar_days_kind_known')),
        sa.ForeignKeyConstraint(['year'], ['calendar_years.year'], name=op.f('fk_calendar_days_year_calendar_years')),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days')),
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_days_year'), ['year'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_counted_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('due_working_days', sa.Integer(), nullable=True))
    _count_open_due_dates()
    _event_kinds(9)


def downgrade():
    moved = op.get_bind().scalar(sa.text("SELECT count(*) FROM case_events WHERE kind = :kind"),
                                 {"kind": DEADLINE_MOVED})
    if moved:
        raise RuntimeError(f"{moved} timeline entries say that a due date moved with the working calendar; the "
                           "timeline is append-only, so this revision cannot be undone without losing them")
    _event_kinds(8)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('due_working_days')
        batch_op.drop_column('due_counted_from')
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_days_year'))
    op.drop_table('calendar_days')
    op.drop_table('calendar_years')


def _event_kinds(last: int) -> None:
    """The timeline's kinds of entry, 1 to `last`. SQLite rebuilds the table, and with it its triggers."""
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_case_events_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', f"kind IN ({', '.join(map(str, range(1, last + 1)))})")
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _count_open_due_dates() -> None:
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('stage', sa.String),
                     sa.column('due_date', sa.Date), sa.column('closed_at', sa.DateTime(timezone=True)),
                     sa.column('due_counted_from', sa.Date), sa.column('due_working_days', sa.Integer))
    events = sa.table('case_events', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                      sa.column('kind', sa.Integer), sa.column('to_stage', sa.String),
                      sa.column('created_at', sa.DateTime(timezone=True)))
    entered = sa.select(cases.c.id, cases.c.due_date, events.c.created_at).join(
        events, sa.and_(events.c.case_id == cases.c.id, events.c.to_stage == cases.c.stage,
                        events.c.kind.in_([SUBMITTED, TRANSITION]))
    ).where(cases.c.closed_at.is_(None), cases.c.due_date.is_not(None)).order_by(events.c.id)
    latest = {}
    for case_id, due, created_at in op.get_bind().execute(entered):
        latest[case_id] = (due, _center_date(created_at))  # ordered by entry: the last one stays
    for case_id, (due, start) in latest.items():
        op.get_bind().execute(sa.update(cases).where(cases.c.id == case_id).values(
            due_counted_from=start, due_working_days=_working_days_between(start, due)))


def _center_date(moment) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CENTER_ZONE).date()


def _working_days_between(start: date, end: date) -> int:
    if end < start:
        return -_working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if _is_working_day(start + timedelta(days=n)))


def _is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5
