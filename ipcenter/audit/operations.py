"""Writing audit entries, and pruning old ones into an archive.

`record` adds an entry to the current transaction: it is committed with the change it records,
or rolled back with it. `record_failure` is for failures and denials, whose request fails and
rolls back: the request boundary writes them in a transaction of their own once the request's
own has ended (so that, on SQLite, they never wait on the request's write lock).
"""
import getpass
import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from ..database import rowcount, utcnow
from ..extensions import db
from ..private_files import create_private
from .models import ACTIONS, OBJECT_KINDS, AuditEntry, AuditPrunePermit

PENDING_FAILURES = "audit_failures"


def record(action: str, object_kind: str, object_id=None, *, actor=None, before: dict | None = None,
           after: dict | None = None) -> AuditEntry:
    """An entry in the current transaction. `actor` defaults to the signed-in user, if any."""
    entry = AuditEntry(**_values(action, object_kind, object_id, actor, before, after))
    db.session.add(entry)
    return entry


def record_failure(action: str, object_kind: str, object_id=None, *, actor=None, after: dict | None = None) -> None:
    """A failure or a denial: kept even though the request fails (see `write_failures`)."""
    values = _values(action, object_kind, object_id, actor, None, after)
    if has_request_context():
        g.setdefault(PENDING_FAILURES, []).append(values)
    else:
        _insert([values])


def record_command(action: str, object_kind: str, object_id=None, *, after: dict | None = None) -> None:
    """A command's own act (a backup, a restore), committed at once on a connection of its own: it has
    no change in the database to share a transaction with. Who ran it is the system user."""
    _insert([_values(action, object_kind, object_id, None, None,
                     {**(after or {}), "system_user": getpass.getuser()})])


def record_throttling(path: str, limit, *, after: dict) -> None:
    """A request refused for too many attempts: the first from its address in each window of the limit, so
    that a flood of refused requests cannot fill the append-only log."""
    since = utcnow() - timedelta(seconds=limit.get_expiry())
    already = db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "request.throttled", AuditEntry.object_kind == "page", AuditEntry.object_id == path,
        AuditEntry.address == request.remote_addr, AuditEntry.created_at >= since).limit(1))
    if already is None:
        record_failure("request.throttled", "page", path, after=after)


def write_failures() -> None:
    """The request's failures and denials, committed on a connection of their own (the request boundary
    calls this after the request's commit or rollback). A failure to write them is logged: it must not
    turn the refusal the user is owed into a server error."""
    pending = g.get(PENDING_FAILURES)
    if not pending:
        return
    try:
        _insert(pending)
    except SQLAlchemyError:
        current_app.logger.exception("audit entries not written: %s", pending)
    g.pop(PENDING_FAILURES)


def _insert(rows: list[dict]) -> None:
    with db.engine.begin() as connection:
        connection.execute(insert(AuditEntry), rows)


def _values(action, object_kind, object_id, actor, before, after) -> dict:
    if action not in ACTIONS or object_kind not in OBJECT_KINDS:
        raise ValueError(f"unknown audit action or object kind: {action!r}, {object_kind!r}")
    in_request = has_request_context()
    if actor is None and in_request and current_user.is_authenticated:
        actor = current_user
    return {
        "created_at": utcnow(), "actor_id": actor.id if actor is not None else None, "action": action,
        "object_kind": object_kind, "object_id": None if object_id is None else str(object_id)[:64],
        "before": _plain(before), "after": _plain(after),
        "address": request.remote_addr if in_request else None,
        "user_agent": (request.user_agent.string[:300] or None) if in_request else None,
    }


def _plain(value: dict | None) -> dict | None:
    """JSON as stored: dates and other values as their text."""
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def changes(old: dict, new: dict) -> tuple[dict, dict]:
    """`before` and `after` holding only the fields that differ."""
    changed = [key for key in new if old.get(key) != new[key]]
    return {key: old.get(key) for key in changed}, {key: new[key] for key in changed}


# Pruning --------------------------------------------------------------------------

class PruneRefused(ValueError):
    """A prune the retention setting does not allow."""


@dataclass
class Pruned:
    archived: int
    archive: Path | None


def retention_limit(today: date) -> date:
    """The earliest cut-off date the retention setting allows: entries younger than it stay."""
    return today - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])


def prune_entries(before: date, today: date) -> Pruned:
    """Move the entries made before `before` (a date in the center's time zone) into a gzip JSON-lines
    archive, record the prune, and delete them; the archive is on disk before the deletion commits."""
    limit = retention_limit(today)
    if before > limit:
        raise PruneRefused(f"entries are kept for {current_app.config['AUDIT_RETENTION_DAYS']} days "
                           f"(AUDIT_RETENTION_DAYS): the latest date allowed is {limit.isoformat()}")
    cutoff = datetime.combine(before, time(), ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    folder = Path(current_app.config["AUDIT_ARCHIVE_FOLDER"] or Path(current_app.instance_path) / "audit-archive")
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".audit-before-{before.isoformat()}.{os.getpid()}.partial"
    count, last_id, digest = _write_archive(draft, cutoff)
    archive = folder / f"audit-before-{before.isoformat()}-{utcnow():%Y%m%dT%H%M%SZ}.jsonl.gz" if count else None
    summary = {"before": before.isoformat(), "archived": count, "archive": archive.name if archive else None,
               "sha256": digest if count else None, "system_user": getpass.getuser()}
    try:
        entry = record("audit.pruned", "audit_log", after=summary)  # every prune is on record, even an empty one
        if last_id is not None:  # entries were archived
            _delete_archived(entry, cutoff, last_id, count)
    except Exception:
        draft.unlink()
        raise
    if archive is None:
        draft.unlink()
    else:
        draft.rename(archive)
    return Pruned(count, archive)


def _write_archive(path: Path, cutoff: datetime) -> tuple[int, int | None, str]:
    """The entries before `cutoff`, oldest first, one JSON object a line; (count, last id, sha256)."""
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.created_at < cutoff)
                                 .order_by(AuditEntry.id).execution_options(yield_per=1000))
    count, last_id = 0, None
    path.unlink(missing_ok=True)  # a draft left by an earlier process of the same id
    with create_private(path) as raw:
        with gzip.open(raw, "wt", encoding="utf-8") as archive:
            for entry in entries:
                archive.write(json.dumps(_archived(entry), ensure_ascii=False) + "\n")
                count, last_id = count + 1, entry.id
        raw.flush()
        os.fsync(raw.fileno())  # on disk before the deletion can commit
    with path.open("rb") as written:
        return count, last_id, hashlib.file_digest(written, "sha256").hexdigest()


def _archived(entry: AuditEntry) -> dict:
    return {"id": entry.id, "created_at": entry.created_at.isoformat(), "actor_id": entry.actor_id,
            "actor_email": entry.actor.email if entry.actor else None, "action": entry.action,
            "object_kind": entry.object_kind, "object_id": entry.object_id, "before": entry.before,
            "after": entry.after, "address": entry.address, "user_agent": entry.user_agent}


def _delete_archived(entry: AuditEntry, cutoff: datetime, last_id: int, count: int) -> None:
    """A permit naming the prune's own entry lets the triggers pass exactly this deletion; the permit goes
    again before the transaction ends, so no other transaction ever sees it."""
    db.session.flush()
    permit = AuditPrunePermit(entry_id=entry.id, pruned_before=cutoff)
    db.session.add(permit)
    db.session.flush()
    archived = delete(AuditEntry).where(AuditEntry.created_at < cutoff, AuditEntry.id <= last_id)
    deleted = rowcount(db.session.execute(archived.execution_options(synchronize_session=False)))
    if deleted != count:  # an older entry appeared meanwhile: archive and table would disagree
        raise PruneRefused(f"{deleted} entries matched for deletion but {count} were archived; run the prune again")
    db.session.delete(permit)
    db.session.flush()
