"""The filtered audit log as a CSV file (formula-safe, like every export: ipcenter/exports.py)."""
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..database import utcnow
from ..exports import table_response
from ..extensions import db
from .operations import record
from .queries import filtered_entries

EXPORT_LIMIT = 100_000
COLUMNS = (_l("Time (UTC)"), _l("User id"), _l("User"), _l("IP address"), _l("Action"), _l("Action code"),
           _l("Object"), _l("Object id or reference"), _l("Before"), _l("After"), _l("User agent"))


class ExportTooLarge(ValueError):
    """More entries than one file holds."""


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _row(entry) -> list:
    return [entry.created_at.isoformat(), entry.actor_id, entry.actor.email if entry.actor else None,
            entry.address, entry.action_label, entry.action, entry.object_kind, entry.object_id,
            _json(entry.before), _json(entry.after), entry.user_agent]


def export_entries(filters: dict):
    """A CSV of the entries the filters select, newest first; the export is itself an entry."""
    query = filtered_entries(filters)
    count = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    if count > EXPORT_LIMIT:
        raise ExportTooLarge(_l("%(count)s entries match; one export holds at most %(limit)s. Narrow the filters "
                                "(a date range, say).", count=count, limit=EXPORT_LIMIT))
    rows = (_row(entry) for entry in db.session.scalars(query.execution_options(yield_per=1000)))
    response = table_response(f"audit-{utcnow():%Y%m%dT%H%M%SZ}", COLUMNS, rows, "csv")
    record("audit.exported", "audit_log", after={"filters": {k: v for k, v in filters.items() if v}, "entries": count})
    return response
