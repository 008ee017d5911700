"""audit log: append-only entries, and the permits a prune deletes under

Revision ID: a7d3c9e1f2b4
Revises: 7a3e5c1f9b20
Create Date: 2026-11-28 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# As in ipcenter/audit/models.py (a migration keeps its own copy: the model may change later). UPDATE is
# always refused; DELETE only for entries older than the cut-off of a permit that names the prune's own
# entry (the permit exists only inside `flask audit prune`'s transaction); TRUNCATE always.
_PERMITTED = ("EXISTS (SELECT 1 FROM audit_prune_permits p JOIN audit_entries e ON e.id = p.entry_id "
              "WHERE e.action = 'audit.pruned' AND OLD.created_at < p.pruned_before AND OLD.id <> p.entry_id)")
_REFUSAL = "audit_entries is append-only: entries leave it only through flask audit prune"
APPEND_ONLY = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' AND {_PERMITTED} THEN RETURN OLD; END IF; "
        f"RAISE EXCEPTION '{_REFUSAL}'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
    ],
    "sqlite": [
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
        f"WHEN NOT {_PERMITTED} BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    ],
}

# revision identifiers, used by Alembic.
revision = 'a7d3c9e1f2b4'
down_revision = '7a3e5c1f9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_object', ['object_kind', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_created_at'), ['created_at'], unique=False)

    op.create_table('audit_prune_permits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('pruned_before', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['audit_entries.id'],
                            name=op.f('fk_audit_prune_permits_entry_id_audit_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_prune_permits'))
    )
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only() CASCADE")
    op.drop_table('audit_prune_permits')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))
        batch_op.drop_index('ix_audit_entries_object')
    op.drop_table('audit_entries')
