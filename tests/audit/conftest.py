"""The audit tests: their helpers."""
import pytest
from sqlalchemy import select

from ipcenter.audit.models import AuditEntry
from ipcenter.extensions import db


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
