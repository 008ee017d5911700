"""the data generation: raised by every transaction that changes what a page shows (kept pages, page_cache)

Revision ID: a7c3e9d1f5b8
Revises: f3a9c1e7b2d4
Create Date: 2026-11-26 09:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f5b8'
down_revision = 'f3a9c1e7b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_data_generation_one_data_generation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_generation')),
    )


def downgrade():
    op.drop_table('data_generation')
