"""the home pages and the finder at a million cases: the queues' indexes carry what the home pages count by
(PostgreSQL's INCLUDE); the cases nobody holds, an enterprise's open and closed cases, every case by when it came,
the units' words; on PostgreSQL the finder's texts by their trigrams (pg_trgm) and by their characters

Revision ID: e5c3f7a9b2d4
Revises: e7a9b1c3d5f7
Create Date: 2026-11-26 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5c3f7a9b2d4'
down_revision = 'e7a9b1c3d5f7'
branch_labels = None
depends_on = None

OPEN = sa.text('closed_at IS NULL')
CLOSED = sa.text('closed_at IS NOT NULL')
UNASSIGNED = sa.text('closed_at IS NULL AND assignee_id IS NULL')
UNIT_WORDS = sa.text('unit_id IS NOT NULL')
SEARCHED = {  # the finder's texts (PostgreSQL: indexed by their trigrams and by their characters)
    'searched_words': "(((reference || ' ') || title) || ' ') || description",
    'searched_numbers': "replace((coalesce(application_number, '') || ' ') || coalesce(patent_number, ''), '.', '')",
}
# name, columns, where, what PostgreSQL's index also carries: before this revision, and after.
QUEUES_BEFORE = [
    ('ix_cases_post_queue', ['post_id', 'due_date', 'id'], None),
    ('ix_cases_assignee_queue', ['assignee_id', 'due_date', 'id'], None),
    ('ix_cases_open_due', ['due_date'], None),
]
QUEUES_AFTER = [
    ('ix_cases_post_queue', ['post_id', 'due_date', 'id'], ['assignee_id', 'case_type', 'stage']),
    ('ix_cases_assignee_queue', ['assignee_id', 'due_date', 'id'], ['case_type', 'stage']),
    ('ix_cases_open_due', ['due_date', 'id'], ['case_type', 'stage', 'post_id', 'assignee_id', 'due_counted_from']),
    ('ix_cases_organisation_open', ['organisation_id', 'due_date', 'id'], ['case_type', 'stage']),
]


def upgrade():
    _queues(QUEUES_BEFORE, QUEUES_AFTER)
    op.create_index('ix_cases_unassigned', 'cases', ['post_id', 'due_date', 'id'], unique=False,
                    postgresql_where=UNASSIGNED, sqlite_where=UNASSIGNED)
    op.create_index('ix_cases_created', 'cases', ['created_at', 'id'], unique=False)
    op.drop_index('ix_cases_created_at', table_name='cases')  # the dashboard's, which this one serves as well
    op.create_index('ix_cases_organisation_closed', 'cases', ['organisation_id', 'closed_at'], unique=False,
                    postgresql_where=CLOSED, sqlite_where=CLOSED)
    op.create_index('ix_case_events_unit_words', 'case_events', ['unit_id', 'created_at'], unique=False,
                    postgresql_where=UNIT_WORDS, sqlite_where=UNIT_WORDS)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for name, searched in SEARCHED.items():
            op.execute(f'CREATE INDEX ix_cases_{name}_trigrams ON cases USING gin (({searched}) gin_trgm_ops)')
            op.execute(f'CREATE INDEX ix_cases_{name}_characters ON cases '
                       f'USING gin (string_to_array(lower({searched}), NULL))')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name in SEARCHED:  # pg_trgm stays: it may have been there before
            op.drop_index(f'ix_cases_{name}_characters', table_name='cases')
            op.drop_index(f'ix_cases_{name}_trigrams', table_name='cases')
    op.drop_index('ix_case_events_unit_words', table_name='case_events')
    op.drop_index('ix_cases_organisation_closed', table_name='cases')
    op.create_index('ix_cases_created_at', 'cases', ['created_at'], unique=False)
    op.drop_index('ix_cases_created', table_name='cases')
    op.drop_index('ix_cases_unassigned', table_name='cases')
    _queues(QUEUES_AFTER, QUEUES_BEFORE)


def _queues(old, new):
    """The open cases' indexes as they were, dropped; as they become, made (each partial: open cases only)."""
    for name, _, _ in old:
        op.drop_index(name, table_name='cases')
    for name, columns, carried in new:
        op.create_index(name, 'cases', columns, unique=False, postgresql_where=OPEN, sqlite_where=OPEN,
                        **({'postgresql_include': carried} if carried else {}))
