"""Attachment files: type checked on the content, stored under generated names.

A file is written under a temporary name (`<name>.pending`) and moved into place only
after the commit that records its row (`move_committed_files`); a rollback deletes it.
A process killed before the commit leaves a pending file without a row, one killed
between commit and move a row with its file still pending: `flask attachments check`
finds both, and `--repair` moves the first into quarantine and finishes the second.
"""
import hashlib
import logging
import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from .models import Attachment

log = logging.getLogger(__name__)
PENDING = ".pending"  # a file written, whose row is not committed yet
PENDING_FILES = "pending_attachment_files"  # session.info: the final paths of this transaction's files

OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadRefused(ValueError):
    """A file the center does not accept; the message says why."""

    field = "files"  # the form field at fault


def detect_content_type(path: Path) -> str | None:
    """The file's real type from its first bytes (and, for Office files, its parts)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        return next((kind for part, kind in OOXML_PARTS.items() if part in names), None)
    return None


def display_name(filename: str) -> str:
    """The name as the user gave it, without any folder part (Chinese kept exactly).

    Control and format characters go: CR/LF would break the download's Content-Disposition header, and
    bidirectional overrides disguise a name's extension."""
    name = "".join(c for c in filename or "" if unicodedata.category(c) not in ("Cc", "Cf"))
    name = PureWindowsPath(PurePosixPath(name).name).name.strip()
    return name[:255] or "file"


def _upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_path(attachment: Attachment) -> Path:
    return _upload_root() / attachment.stored_name[:2] / attachment.stored_name


def pending_path(path: Path) -> Path:
    return path.with_name(path.name + PENDING)


def store_attachment(case, event, uploader, upload) -> Attachment:
    """Save one uploaded file (a werkzeug FileStorage) to `event` of `case`; in place once committed."""
    name = display_name(upload.filename)
    stored_name = uuid.uuid4().hex
    target = _upload_root() / stored_name[:2] / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with pending_path(target).open("xb") as handle:
        db.session.info.setdefault(PENDING_FILES, []).append(target)
        for chunk in iter(lambda: upload.stream.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())  # on disk before the commit that promises it
    content_type = detect_content_type(pending_path(target))
    if size == 0:
        raise UploadRefused(_l("%(name)s is empty.", name=name))
    if content_type is None:
        raise UploadRefused(_l("%(name)s is not a PDF, PNG, JPEG, DOCX or XLSX file (judged by its content, "
                               "not its name).", name=name))
    attachment = Attachment(case=case, event=event, uploaded_by=uploader, original_name=name,
                            stored_name=stored_name, content_type=content_type, size=size,
                            sha256=digest.hexdigest())
    db.session.add(attachment)
    return attachment


@event.listens_for(Session, "after_commit")
def move_committed_files(session) -> None:
    """The rows are committed: their files take their real names."""
    for target in session.info.pop(PENDING_FILES, []):
        try:
            os.replace(pending_path(target), target)
        except OSError:  # the row stands; `flask attachments check --repair` finishes the move
            log.exception("could not move %s into place", target)


@event.listens_for(Session, "after_soft_rollback")
def discard_pending_files(session, previous_transaction) -> None:
    """The rows were rolled back: their files go too."""
    for target in session.info.pop(PENDING_FILES, []):
        pending_path(target).unlink(missing_ok=True)


# Checking the folder against the table ------------------------------------------

QUARANTINE = "quarantine"  # under the upload folder; stored names are hex, so never this
IN_FLIGHT = timedelta(hours=1)  # a pending file younger than this may belong to a request still running


@dataclass
class FileCheck:
    orphans: list[Path] = field(default_factory=list)  # files without a row
    missing: list[Attachment] = field(default_factory=list)  # rows without a file
    unmoved: list[Attachment] = field(default_factory=list)  # rows committed, file still pending


def check_files(now: datetime | None = None) -> FileCheck:
    """Every file of the upload folder against every attachment row."""
    root, found = _upload_root(), FileCheck()
    cutoff = (now or datetime.now(UTC)) - IN_FLIGHT
    # The folder first, then the table: a file takes its final name only after its row is committed, so
    # every final name listed has its row in what is read next, however many requests commit meanwhile.
    on_disk = {path.name: path for path in root.glob("??/*") if path.is_file()} if root.exists() else {}
    rows = {a.stored_name: a for a in db.session.scalars(select(Attachment).order_by(Attachment.id))}
    for name, path in sorted(on_disk.items()):
        stored_name = name.removesuffix(PENDING)
        if stored_name in rows:
            continue
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if name == stored_name or modified < cutoff:
            found.orphans.append(path)
    for stored_name, attachment in rows.items():
        if stored_name not in on_disk:
            (found.unmoved if stored_name + PENDING in on_disk else found.missing).append(attachment)
    return found


def repair_files(found: FileCheck, when: datetime) -> Path | None:
    """Move the orphans into a quarantine folder of their own (returned) and finish the interrupted moves."""
    for attachment in found.unmoved:
        os.replace(pending_path(stored_path(attachment)), stored_path(attachment))
    if not found.orphans:
        return None
    quarantine = _upload_root() / QUARANTINE / when.strftime("%Y%m%dT%H%M%SZ")
    quarantine.mkdir(parents=True, exist_ok=True)
    for path in found.orphans:
        if not _has_row(path.name.removesuffix(PENDING)):  # its row may have been committed since the check
            os.replace(path, quarantine / path.name)
    return quarantine


def _has_row(stored_name: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(Attachment.id).where(Attachment.stored_name == stored_name)) is not None
