"""used submission keys: a form that adds something is answered once, even when sent again

Revision ID: a7c3e9f1b2d4
Revises: a7d3c9e1f2b4
Create Date: 2026-11-26 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c3e9f1b2d4'
down_revision = 'a7d3c9e1f2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_submission_keys',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_used_submission_keys_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_used_submission_keys'))
    )
    with op.batch_alter_table('used_submission_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_submission_keys_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('used_submission_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_submission_keys_user_id'))
    op.drop_table('used_submission_keys')
