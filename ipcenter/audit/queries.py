"""The audit log narrowed by the managers' filters, newest first."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from .models import AuditEntry


def _center_midnight(day: date) -> datetime:
    """The start of a day as the center counts it (Asia/Shanghai): the filters' dates are the center's."""
    return datetime.combine(day, time(), ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def _pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def filtered_entries(filters: dict) -> Select:
    """`filters`: who (email, name or address, in part), action, kind, object_id, since and until (dates)."""
    query = select(AuditEntry).options(selectinload(AuditEntry.actor))
    who = (filters.get("who") or "").strip()
    if who:
        pattern = _pattern(who)
        query = query.outerjoin(User, User.id == AuditEntry.actor_id).where(or_(
            User.email.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\"),
            AuditEntry.address.ilike(pattern, escape="\\")))
    if filters.get("action"):
        query = query.where(AuditEntry.action == filters["action"])
    if filters.get("kind"):
        query = query.where(AuditEntry.object_kind == filters["kind"])
    if (filters.get("object_id") or "").strip():
        query = query.where(AuditEntry.object_id == filters["object_id"].strip())
    if filters.get("since"):
        query = query.where(AuditEntry.created_at >= _center_midnight(filters["since"]))
    if filters.get("until"):
        query = query.where(AuditEntry.created_at < _center_midnight(filters["until"] + timedelta(days=1)))
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
