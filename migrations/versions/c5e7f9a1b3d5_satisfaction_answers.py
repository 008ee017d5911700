"""satisfaction answers: the enterprise's answer (1 to 5, a comment) to the question asked when its case closes,
one per case

Revision ID: c5e7f9a1b3d5
Revises: c3a1d5e7f9b2
Create Date: 2026-11-28 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e7f9a1b3d5'
down_revision = "c3a1d5e7f9b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'satisfaction_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_satisfaction_answers_score_range')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'],
                                name=op.f('fk_satisfaction_answers_answered_by_id_users')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_satisfaction_answers_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_answers')),
        sa.UniqueConstraint('case_id', name=op.f('uq_satisfaction_answers_case_id')),
    )
    op.create_index('ix_satisfaction_answers_answered_at', 'satisfaction_answers', ['answered_at'], unique=False)


def downgrade():
    op.drop_index('ix_satisfaction_answers_answered_at', table_name='satisfaction_answers')
    op.drop_table('satisfaction_answers')
