"""cases: one-time submission token of the request form

Revision ID: e1f0a5b7c9d2
Revises: d79f6129abb9
Create Date: 2026-11-25 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1f0a5b7c9d2'
down_revision = 'd79f6129abb9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_cases_submission_token'), ['submission_token'])


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cases_submission_token'), type_='unique')
        batch_op.drop_column('submission_token')
