"""cases: the case types are the workflow's data; the database no longer lists them

The workflow registry (ipcenter/cases/workflow.py) is the one list of case types, as it always was of the
stages, actions and outcomes, which the database never listed: a new type is a change to that data.

Revision ID: f3a9c1e7b2d4
Revises: c8f2a4d6e1b3
Create Date: 2026-11-26 08:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a9c1e7b2d4'
down_revision = 'c8f2a4d6e1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_cases_type_known'), type_='check')


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        # With every type the workflow has had since, so that a database holding them can come back here.
        batch_op.create_check_constraint('type_known', "case_type IS NULL OR case_type IN ('patent_filing', "
                                         "'fast_pre_examination', 'fast_retrieval', 'consultation', 'foreign_assistance', "
                                         "'infringement_complaint')")
