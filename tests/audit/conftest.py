"""The audit tests: their helpers, and the table emptied between tests past the append-only triggers."""
import pytest
from sqlalchemy import select

from ipcenter.audit.models import AuditEntry
from ipcenter.extensions import db
from tests.audit import lift_triggers  # noqa: F401  (see that module)


@pytest.fixture
def entries():
    """The audit entries so far (optionally of one action), oldest first."""

    def read(action: str | None = None) -> list[AuditEntry]:
        db.session.expire_all()
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(db.session.scalars(query))

    return read
