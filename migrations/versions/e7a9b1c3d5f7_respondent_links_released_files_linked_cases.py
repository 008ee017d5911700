"""complaints, the respondent's side: its single-use links, the case files released to it, and files it sent
through a link (uploaded by no user); a case linked to the case it was started from (a complaint's prior-art search)

Revision ID: e7a9b1c3d5f7
Revises: b2c4d6e8f0a1
Create Date: 2026-11-27 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a9b1c3d5f7'
down_revision = 'b2c4d6e8f0a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'respondent_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('emailed_to', sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_respondent_links_case_id_cases')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_respondent_links_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent_links')),
    )
    op.create_index('ix_respondent_links_case_id', 'respondent_links', ['case_id', 'id'], unique=False)
    op.create_table(
        'released_attachments',
        sa.Column('attachment_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('released_by_id', sa.Integer(), nullable=False),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'],
                                name=op.f('fk_released_attachments_attachment_id_attachments')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_released_attachments_case_id_cases')),
        sa.ForeignKeyConstraint(['released_by_id'], ['users.id'],
                                name=op.f('fk_released_attachments_released_by_id_users')),
        sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_released_attachments')),
    )
    op.create_index(op.f('ix_released_attachments_case_id'), 'released_attachments', ['case_id'], unique=False)
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linked_case_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_linked_case_id_cases'), 'cases', ['linked_case_id'], ['id'])


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_linked_case_id_cases'), type_='foreignkey')
        batch_op.drop_column('linked_case_id')
    # A file a respondent sent through its link had no uploader; before this revision every file had one: the
    # staff member who made the link, through which the center received it.
    op.execute("UPDATE attachments SET uploaded_by_id = (SELECT created_by_id FROM respondent_links "
               "WHERE respondent_links.case_id = attachments.case_id ORDER BY respondent_links.id DESC LIMIT 1) "
               "WHERE uploaded_by_id IS NULL")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f('ix_released_attachments_case_id'), table_name='released_attachments')
    op.drop_table('released_attachments')
    op.drop_index('ix_respondent_links_case_id', table_name='respondent_links')
    op.drop_table('respondent_links')
