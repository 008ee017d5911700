"""saved views: the case finder's filters kept under a name by a staff member, private or shared with one of their
posts; and the view each person's finder opens with

Revision ID: c3a1d5e7f9b2
Revises: d6f8a0b2c4e6
Create Date: 2026-11-26 11:16:35

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3a1d5e7f9b2'
down_revision = 'd6f8a0b2c4e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_saved_views_owner_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_saved_views_post_id_posts'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views')),
        sa.UniqueConstraint('owner_id', 'name', name=op.f('uq_saved_views_owner_id')),
    )
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_views_post_id'), ['post_id'], unique=False)

    op.create_table(
        'default_views',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('view_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_default_views_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['view_id'], ['saved_views.id'], name=op.f('fk_default_views_view_id_saved_views'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_default_views')),
    )
    with op.batch_alter_table('default_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_default_views_view_id'), ['view_id'], unique=False)


def downgrade():
    with op.batch_alter_table('default_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_default_views_view_id'))
    op.drop_table('default_views')
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_views_post_id'))
    op.drop_table('saved_views')
