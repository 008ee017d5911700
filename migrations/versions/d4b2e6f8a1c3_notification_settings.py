"""notification settings: each user's choice per group of events (in the app only, email at once, daily digest);
notifications left for the digest; when each user's last digest was taken

Revision ID: d4b2e6f8a1c3
Revises: f6d4a8b1c3e5
Create Date: 2026-11-27 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4b2e6f8a1c3'
down_revision = "f6d4a8b1c3e5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('event_group', sa.String(length=30), nullable=False),
        sa.Column('delivery', sa.Integer(), nullable=False),
        sa.CheckConstraint('delivery IN (1, 2, 3)', name=op.f('ck_notification_settings_delivery_known')),
        sa.CheckConstraint("event_group IN ('new_work', 'stage_changed', 'assigned', 'delegation', 'unit_reports', "
                           "'deadlines', 'enterprise_record')",
                           name=op.f('ck_notification_settings_event_group_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'event_group', name=op.f('pk_notification_settings')),
    )
    op.create_table(
        'notification_digests',
        sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_digests_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_digests')),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaiting_digest', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_notifications_awaiting_digest', ['user_id'], unique=False,
                              postgresql_where=sa.text('awaiting_digest'), sqlite_where=sa.text('awaiting_digest = 1'))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_awaiting_digest', postgresql_where=sa.text('awaiting_digest'),
                            sqlite_where=sa.text('awaiting_digest = 1'))
        batch_op.drop_column('awaiting_digest')
    op.drop_table('notification_digests')
    op.drop_table('notification_settings')
