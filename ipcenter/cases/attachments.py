"""Attachment files: type checked on the content, stored under generated names.

Files are written before the database commit; if the request then fails, the
request boundary deletes them (`discard_written_files`), so a failed upload leaves
neither an orphan file nor a row.
"""
import hashlib
import os
import unicodedata
import uuid
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask import current_app, g
from flask_babel import lazy_gettext as _l

from ..extensions import db
from .models import Attachment

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}
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


def store_attachment(case, event, uploader, upload) -> Attachment:
    """Save one uploaded file (a werkzeug FileStorage) to `event` of `case`."""
    name = display_name(upload.filename)
    stored_name = uuid.uuid4().hex
    target = _upload_root() / stored_name[:2] / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with target.open("xb") as handle:
        g.setdefault("written_files", []).append(target)
        for chunk in iter(lambda: upload.stream.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    content_type = detect_content_type(target)
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


def discard_written_files() -> None:
    """Delete the files this request wrote; its database changes were rolled back."""
    for path in g.pop("written_files", []):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def keep_written_files() -> None:
    g.pop("written_files", None)
