"""mail sender name: the center's name in the recipient's language

Revision ID: c4e1d2b3a0f5
Revises: e1f0a5b7c9d2
Create Date: 2026-11-27 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e1d2b3a0f5'
down_revision = 'e1f0a5b7c9d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender_name', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('sender_name')
