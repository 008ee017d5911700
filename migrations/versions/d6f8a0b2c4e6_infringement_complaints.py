"""infringement complaints: the enforced patent's status, the complainant's standing, the respondent, where the
copy was found, what is asked, the assessment; a stage deadline counted in hours

Revision ID: d6f8a0b2c4e6
Revises: d4b2e6f8a1c3
Create Date: 2026-11-26 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd6f8a0b2c4e6'
down_revision = 'd4b2e6f8a1c3'
branch_labels = None
depends_on = None

COLUMNS = [
    ("due_at", sa.DateTime(timezone=True)),
    ("patent_status", sa.String(30)),
    ("evaluation_report", sa.Boolean()),
    ("standing", sa.String(30)),
    ("standing_note", sa.Text()),
    ("respondent_name", sa.String(200)),
    ("respondent_credit_code", sa.String(18)),
    ("respondent_address", sa.String(300)),
    ("respondent_contact", sa.String(200)),
    ("respondent_email", sa.String(254)),
    ("channel", sa.String(20)),
    ("fair_name", sa.String(200)),
    ("found_at", sa.String(300)),
    ("platform", sa.String(100)),
    ("item_url", sa.String(500)),
    ("remedies", sa.String(100)),
    ("damages_amount", sa.Integer()),
    ("assessment", sa.String(20)),
]
CHECKS = {
    "channel_known": "channel IS NULL OR channel IN ('ordinary', 'fair', 'online')",
    "patent_status_known": "patent_status IS NULL OR patent_status IN ('in_force', 'invalidation_requested', "
                           "'lapsed')",
    "standing_known": "standing IS NULL OR standing IN ('owner', 'exclusive_licensee', 'licensee', 'assignee')",
    "assessment_known": "assessment IS NULL OR assessment IN ('infringing', 'not_infringing', 'unclear')",
}


def upgrade():
    with op.batch_alter_table("cases") as batch:
        for name, column_type in COLUMNS:
            batch.add_column(sa.Column(name, column_type, nullable=True))
        for name, condition in CHECKS.items():
            batch.create_check_constraint(op.f(f"ck_cases_{name}"), condition)
        batch.create_index("ix_cases_respondent_credit_code", ["respondent_credit_code"])


def downgrade():
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_respondent_credit_code")
        for name in CHECKS:
            batch.drop_constraint(op.f(f"ck_cases_{name}"), type_="check")
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
