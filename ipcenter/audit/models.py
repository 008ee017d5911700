"""Audit entries, the actions they name, and the database's refusal to change or drop them.

The table is append-only: triggers refuse every UPDATE, and every DELETE except the rows a prune
has been permitted to remove. A prune (`flask audit prune`) first writes its own entry, then a
permit naming that entry and the cut-off date, deletes the older rows and removes the permit, all
in one transaction: no other transaction ever sees the permit, and no entry leaves the table
without an entry saying so.
"""
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User

# Every action an entry may name, with the label managers read and filter by.
ACTIONS = {
    "account.login": _l("Logged in"),
    "account.login_failed": _l("Login failed"),
    "account.logout": _l("Logged out"),
    "account.password_changed": _l("Password changed"),
    "account.password_change_failed": _l("Password change refused (wrong current password)"),
    "account.password_reset": _l("Password reset by emailed link"),
    "account.invitation_accepted": _l("Invitation accepted, password chosen"),
    "access.denied": _l("Permission denied"),
    "request.throttled": _l("Refused: too many attempts"),
    "case.transition": _l("Case moved on"),
    "case.assigned": _l("Case assigned"),
    "case.delegated": _l("Case delegated to a unit"),
    "case.delegation_ended": _l("Delegation ended"),
    "case.note": _l("Internal note written"),
    "case.rated": _l("Satisfaction with a case answered"),
    "respondent.link_made": _l("Respondent's link made"),
    "respondent.document_released": _l("File released to a respondent"),
    "respondent.document_withdrawn": _l("File withdrawn from a respondent"),
    "complaint.search_started": _l("Prior-art search started for a complaint"),
    "organisation.approve": _l("Enterprise recorded"),
    "organisation.reject": _l("Enterprise rejected"),
    "organisation.suspend": _l("Enterprise suspended"),
    "organisation.reinstate": _l("Enterprise reinstated"),
    "user.created": _l("User created"),
    "user.updated": _l("User changed"),
    "user.role_changed": _l("User's role changed"),
    "user.deactivated": _l("User deactivated"),
    "user.reactivated": _l("User reactivated"),
    "patents.exported": _l("Patent search exported"),
    "cases.exported": _l("Case list exported"),
    "center_report.downloaded": _l("Center report downloaded"),
    "organisation.history_exported": _l("Enterprise's case history exported"),
    "attachment.downloaded": _l("Case attachment downloaded"),
    "report.downloaded": _l("Search report downloaded"),
    "audit.exported": _l("Audit log exported"),
    "audit.pruned": _l("Audit log pruned into an archive"),
    "template.changed": _l("Template changed"),
    "notice.regenerated": _l("Official notice written again (a new version)"),
    "calendar.changed": _l("Working-day calendar changed"),
    "backup.created": _l("Backup taken"),
    "backup.restored": _l("Backup restored"),
}

# The kinds of object an entry is about.
OBJECT_KINDS = {
    "user": _l("User"), "case": _l("Case"), "organisation": _l("Enterprise"), "attachment": _l("Attachment"),
    "patents": _l("Patent search"), "cases": _l("Case list"), "page": _l("Page"), "audit_log": _l("Audit log"),
    "template": _l("Template"), "calendar": _l("Calendar"), "backup": _l("Backup"),
    "center_report": _l("Center report"),
}


class AuditEntry(Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_object", "object_kind", "object_id"),
        # Ids are never given out twice, even after a prune has removed the newest rows.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Who: a user, or nobody (a visitor, known by the address; a command run on the server).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    actor: Mapped[Optional["User"]] = relationship()

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))

    @property
    def kind_label(self) -> str:
        return str(OBJECT_KINDS.get(self.object_kind, self.object_kind))


class AuditPrunePermit(Model):
    """Exists only inside a prune's transaction: lets the DELETE triggers pass the entries it archived."""

    __tablename__ = "audit_prune_permits"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entries.id"))
    pruned_before: Mapped[datetime] = mapped_column(UTCDateTime)


# A DELETE passes only for an entry older than a permit's cut-off, when the permit names the
# prune's own entry (which itself is never removed by that prune).
_PERMITTED = ("EXISTS (SELECT 1 FROM audit_prune_permits p JOIN audit_entries e ON e.id = p.entry_id "
              "WHERE e.action = 'audit.pruned' AND OLD.created_at < p.pruned_before AND OLD.id <> p.entry_id)")
_REFUSAL = "audit_entries is append-only: entries leave it only through flask audit prune"

# The SQLite triggers by name: the test suite drops and recreates them to empty the table between tests.
SQLITE_TRIGGERS = {
    "audit_entries_no_update": "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
                               f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    "audit_entries_no_delete": "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
                               f"WHEN NOT {_PERMITTED} BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
}
APPEND_ONLY_TRIGGERS = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' AND {_PERMITTED} THEN RETURN OLD; END IF; "
        f"RAISE EXCEPTION '{_REFUSAL}'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
        # TRUNCATE fires no row trigger: it is refused outright.
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
    ],
    "sqlite": list(SQLITE_TRIGGERS.values()),
}

for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _statement in _statements:
        event.listen(AuditPrunePermit.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
