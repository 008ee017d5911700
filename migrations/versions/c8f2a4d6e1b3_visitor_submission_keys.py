"""used submission keys of visitors (a registration sent again registers once), swept by age

Revision ID: c8f2a4d6e1b3
Revises: b5d2e8f14a60
Create Date: 2026-11-26 06:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8f2a4d6e1b3'
down_revision = 'b5d2e8f14a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('used_submission_keys', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_used_submission_keys_used_at'), ['used_at'], unique=False)


def downgrade():
    op.execute("DELETE FROM used_submission_keys WHERE user_id IS NULL")
    with op.batch_alter_table('used_submission_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_submission_keys_used_at'))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
