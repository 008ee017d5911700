"""the dashboard's indexes: cases by the day they were submitted and closed, the timeline by its time

Revision ID: f6d4a8b1c3e5
Revises: b8d4f2a6c1e3
Create Date: 2026-11-26 12:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f6d4a8b1c3e5'
down_revision = 'b8d4f2a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_cases_created_at", "cases", ["created_at"])
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])
    op.create_index("ix_case_events_kind_created_at", "case_events", ["kind", "created_at"])


def downgrade():
    op.drop_index("ix_case_events_kind_created_at", table_name="case_events")
    op.drop_index("ix_cases_closed_at", table_name="cases")
    op.drop_index("ix_cases_created_at", table_name="cases")
