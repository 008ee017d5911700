"""each case's stays at its stages and its turnaround, counted in working days for the dashboard's figures
(`cases/stints.py`), counted for the cases already there; the cases by when they came carry their type and
enterprise (PostgreSQL's INCLUDE: received per type and per enterprise from the index alone), an enterprise's
closed cases their type and stage (those it has not rated, counted from the index alone); a satisfaction answer
keeps its case's kind and the post owning the stage the case closed from

Revision ID: a4c6e8b0d2f4
Revises: e5c3f7a9b2d4
Create Date: 2026-11-26 15:00:00

"""
import sqlalchemy as sa
from alembic import context, op

# revision identifiers, used by Alembic.
revision = 'a4c6e8b0d2f4'
down_revision = 'e5c3f7a9b2d4'
branch_labels = None
depends_on = None

CLOSED = sa.text('closed_at IS NOT NULL')
TRANSITION = 2  # EventKind.TRANSITION


def upgrade():
    op.create_table(
        'stage_stints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('case_type', sa.String(length=30), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=40), nullable=False),
        sa.Column('next_stage', sa.String(length=40), nullable=False),
        sa.Column('post', sa.String(length=40), nullable=True),
        sa.Column('entered_on', sa.Date(), nullable=False),
        sa.Column('left_on', sa.Date(), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        sa.Column('since_submission', sa.Integer(), nullable=False),
        sa.Column('within', sa.Boolean(), nullable=True),
        sa.Column('waiting', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_stage_stints_case_id_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_stage_stints_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_stints')),
    )
    op.create_table(
        'case_turnarounds',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('case_type', sa.String(length=30), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        sa.Column('enterprise_days', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_turnarounds_case_id_cases'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_turnarounds')),
    )
    _answers_about_their_closing()
    # The rows are the timeline counted by the app's own rule (the workflow's stages, the center's calendar):
    # counted here by the same code as `flask cases recount-stints`, through this migration's connection, before
    # the indexes are made (faster than keeping them up row by row). That code is the app's as it stands: a later
    # revision that changes these tables must leave this one a frozen copy of what it ran. A script for offline
    # upgrading (`flask db upgrade --sql`) cannot count: there, run `flask cases recount-stints` afterwards.
    if not context.is_offline_mode():
        from ipcenter.cases.stints import recount
        recount(bind=op.get_bind())
    op.create_index('ix_stage_stints_case_id', 'stage_stints', ['case_id'], unique=False,
                    postgresql_include=['stage', 'next_stage', 'left_on'])
    op.create_index('ix_stage_stints_left', 'stage_stints', ['left_on', 'post', 'case_type', 'within'], unique=False)
    op.create_index('ix_stage_stints_led_to', 'stage_stints', ['next_stage', 'left_on'], unique=False,
                    postgresql_include=['case_type', 'stage', 'case_id', 'organisation_id', 'entered_on',
                                        'since_submission'])
    op.drop_index('ix_satisfaction_answers_answered_at', table_name='satisfaction_answers')
    op.create_index('ix_satisfaction_answers_answered_at', 'satisfaction_answers', ['answered_at'], unique=False,
                    postgresql_include=['case_type', 'post', 'score'])
    op.create_index('ix_case_turnarounds_closed', 'case_turnarounds',
                    ['closed_on', 'case_type', 'working_days', 'enterprise_days'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_cases_created', table_name='cases')
        op.create_index('ix_cases_created', 'cases', ['created_at', 'id'], unique=False,
                        postgresql_include=['case_type', 'organisation_id'])
        op.drop_index('ix_cases_organisation_closed', table_name='cases')
        op.create_index('ix_cases_organisation_closed', 'cases', ['organisation_id', 'closed_at'], unique=False,
                        postgresql_where=CLOSED, postgresql_include=['case_type', 'stage', 'id'])


def _answers_about_their_closing():
    """Each answer's kind and post, as `SatisfactionAnswer.about` keeps them: the post owning the stage the case
    left at its latest closing before the answer (by the workflow, as the app has it; one answer per closed case
    at most, read one by one)."""
    from ipcenter.cases.workflow import CASE_TYPES
    with op.batch_alter_table('satisfaction_answers') as batch:
        batch.add_column(sa.Column('case_type', sa.String(length=30), nullable=True))
        batch.add_column(sa.Column('post', sa.String(length=40), nullable=True))
    if context.is_offline_mode():
        op.execute('UPDATE satisfaction_answers SET case_type = '
                   '(SELECT case_type FROM cases WHERE cases.id = satisfaction_answers.case_id)')
        return _answers_case_type_required()
    bind = op.get_bind()
    answers = bind.execute(sa.text('SELECT a.id, a.case_id, a.answered_at, c.case_type FROM satisfaction_answers a '
                                   'JOIN cases c ON c.id = a.case_id')).all()
    for answer_id, case_id, answered_at, case_type in answers:
        steps = bind.execute(sa.text('SELECT from_stage, to_stage FROM case_events WHERE case_id = :case AND kind = '
                                     ':transition AND created_at <= :at ORDER BY id DESC'),
                             {'case': case_id, 'transition': TRANSITION, 'at': answered_at}).all()
        workflow = CASE_TYPES[case_type]
        closed_from = next((source for source, target in steps if not workflow.stage(target).kind.open), None)
        post = workflow.stage(closed_from).post if closed_from else None
        bind.execute(sa.text('UPDATE satisfaction_answers SET case_type = :type, post = :post WHERE id = :id'),
                     {'type': case_type, 'post': post, 'id': answer_id})
    _answers_case_type_required()


def _answers_case_type_required():
    with op.batch_alter_table('satisfaction_answers') as batch:
        batch.alter_column('case_type', existing_type=sa.String(length=30), nullable=False)


def downgrade():
    op.drop_index('ix_satisfaction_answers_answered_at', table_name='satisfaction_answers')
    with op.batch_alter_table('satisfaction_answers') as batch:
        batch.drop_column('post')
        batch.drop_column('case_type')
    op.create_index('ix_satisfaction_answers_answered_at', 'satisfaction_answers', ['answered_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_cases_created', table_name='cases')
        op.create_index('ix_cases_created', 'cases', ['created_at', 'id'], unique=False)
        op.drop_index('ix_cases_organisation_closed', table_name='cases')
        op.create_index('ix_cases_organisation_closed', 'cases', ['organisation_id', 'closed_at'], unique=False,
                        postgresql_where=CLOSED)
    op.drop_table('case_turnarounds')
    op.drop_table('stage_stints')
