"""consultation topic: a field of IP chosen from a list, no longer a second free-text title

Revision ID: b5d2e8f14a60
Revises: a7c3e9f1b2d4
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5d2e8f14a60'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None

TOPICS = ('patent_application', 'patent_rights', 'infringement', 'trademark', 'copyright', 'overseas', 'other')
KNOWN = f"topic IN ({', '.join(repr(code) for code in TOPICS)})"


def upgrade():
    # A topic typed before keeps its words at the end of the description, where the center reads them; the case
    # is filed under "other" (the center may correct that).
    op.execute(f"UPDATE cases SET description = description || '\n\n咨询主题：' || topic, topic = 'other' "
               f"WHERE topic IS NOT NULL AND NOT ({KNOWN})")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('topic', existing_type=sa.String(length=200), type_=sa.String(length=30),
                              existing_nullable=True)
        batch_op.create_check_constraint(batch_op.f('ck_cases_topic_known'), f"topic IS NULL OR {KNOWN}")


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_cases_topic_known'), type_='check')
        batch_op.alter_column('topic', existing_type=sa.String(length=30), type_=sa.String(length=200),
                              existing_nullable=True)
