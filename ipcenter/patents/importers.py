"""Importing patent records: USPTO full-text XML, JSON Lines and CSV.

Files are read as streams, in batches: memory stays flat on a file of any size.
Records are upserted on their canonical publication number, so importing the same
file twice, or two overlapping files at once, updates, never duplicates. A bad record is reported with its position
and the import goes on.
"""
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from .index import queue_for_index
from .models import LIST_FIELDS, PATENT_TYPES, SEPARATOR, Patent
from .numbers import normalise_application_number, normalise_publication_number
from .uspto import BadRecord, read_document, split_documents

BATCH_SIZE = 500
TABULAR_FIELDS = ("country", "publication_number", "kind_code", "patent_type", "application_number", "filing_date",
                  "publication_date", "grant_date", "title", "abstract", "claims", "applicants", "inventors", "ipc",
                  "cpc", "locarno", "legal_status")
DATE_FIELDS = ("filing_date", "publication_date", "grant_date")


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (position, what is wrong)


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    with path.open("rb") as handle:
        head = handle.read(512).lstrip()
    if head.startswith(b"<"):
        return "uspto"
    if head.startswith(b"{"):
        return "jsonl"
    raise ValueError(f"cannot tell the format of {path.name}; use --format")


def _tabular_record(raw: dict) -> dict:
    """Check and normalise one JSON or CSV record (see the README for the layout)."""
    unknown = set(raw) - set(TABULAR_FIELDS)
    if unknown:
        raise BadRecord(f"unknown fields: {', '.join(sorted(unknown))}")
    record: dict[str, Any] = {name: raw.get(name) for name in TABULAR_FIELDS}  # as read; checked below
    if not record["publication_number"] or not record["title"]:
        raise BadRecord("publication_number and title are required")
    if record["patent_type"] not in PATENT_TYPES:
        raise BadRecord(f"patent_type must be one of {', '.join(PATENT_TYPES)}")
    try:
        number, kind = normalise_publication_number(str(record["publication_number"]), record["country"])
    except ValueError as error:
        raise BadRecord(str(error)) from None
    record["country"] = (record["country"] or number[:2]).upper()
    record["publication_number"], record["kind_code"] = number, record["kind_code"] or kind
    if record["application_number"]:
        record["application_number"] = normalise_application_number(str(record["application_number"]),
                                                                    record["country"])
    for name in DATE_FIELDS:
        try:
            record[name] = date.fromisoformat(record[name]) if record[name] else None
        except (TypeError, ValueError):
            raise BadRecord(f"{name} is not a date (YYYY-MM-DD): {record[name]!r}") from None
    for name in LIST_FIELDS:
        value = record[name] or []
        record[name] = [v.strip() for v in (value.split(";") if isinstance(value, str) else value) if v.strip()]
    return record


def _read_jsonl(handle) -> Iterator[tuple[str, dict | Exception, int]]:
    consumed = 0
    for line_number, line in enumerate(handle, start=1):
        consumed += len(line)
        if not line.strip():
            continue
        try:
            yield f"line {line_number}", _tabular_record(json.loads(line)), consumed
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            yield f"line {line_number}", BadRecord(f"not JSON: {error}"), consumed
        except BadRecord as error:
            yield f"line {line_number}", error, consumed


def _read_csv(handle) -> Iterator[tuple[str, dict | Exception, int]]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    for row in reader:
        position = f"line {reader.line_num}"
        try:
            yield position, _tabular_record({k: v for k, v in row.items() if k is not None}), handle.tell()
        except BadRecord as error:
            yield position, error, handle.tell()


def _read_uspto(handle) -> Iterator[tuple[str, dict | Exception, int]]:
    for index, (line, document, consumed) in enumerate(split_documents(handle), start=1):
        position = f"document {index} (line {line})"
        try:
            yield position, read_document(document), consumed
        except BadRecord as error:
            yield position, error, consumed


READERS = {"jsonl": _read_jsonl, "csv": _read_csv, "uspto": _read_uspto}


def _column_value(name: str, value):
    value = SEPARATOR.join(value or ()) if name in LIST_FIELDS else value
    return "" if value is None and name in ("abstract", "claims", "legal_status") + LIST_FIELDS else value


def _apply(patent: Patent, record: dict) -> bool:
    """Copy a record onto a patent; whether anything changed."""
    changed = False
    for name, value in record.items():
        value = _column_value(name, value)
        if getattr(patent, name) != value:
            setattr(patent, name, value)
            changed = True
    return changed


def _insert_new(records: dict[str, dict]) -> set[str]:
    """Insert the records whose publication number is not stored yet, in the number's order (two imports
    at once then wait for each other instead of deadlocking); the numbers inserted. A number another
    import stored meanwhile is skipped here and updated by the caller: an upsert, never an IntegrityError."""
    table = Patent.__table__
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{name: _column_value(name, records[number].get(name)) for name in TABULAR_FIELDS}
            for number in sorted(records)]
    inserted = db.session.execute(insert(table).on_conflict_do_nothing(index_elements=["publication_number"])
                                  .returning(table.c.id, table.c.publication_number), rows).all()
    if inserted:
        queue_for_index(db.session, [row.id for row in inserted])
    return {row.publication_number for row in inserted}


def _save_batch(records: dict[str, dict], summary: ImportSummary) -> None:
    added = _insert_new(records)
    summary.added += len(added)
    rest = {number: record for number, record in records.items() if number not in added}
    existing = {p.publication_number: p for p in db.session.scalars(
        select(Patent).where(Patent.publication_number.in_(list(rest))).order_by(Patent.id))} if rest else {}
    for number, record in rest.items():
        if _apply(existing[number], record):
            summary.updated += 1
        else:
            summary.skipped += 1
    db.session.commit()
    db.session.expunge_all()


def import_patents(path: Path, file_format: str | None = None,
                   progress: Callable[[int], None] = lambda consumed: None) -> ImportSummary:
    """Import a file; `progress` is told how many bytes have been read."""
    summary, batch = ImportSummary(), {}
    reader = READERS[file_format or detect_format(path)]
    with path.open("rb") as handle:
        for position, outcome, consumed in reader(handle):
            progress(consumed)
            if isinstance(outcome, Exception):
                summary.errors.append((position, str(outcome)))
                continue
            batch[outcome["publication_number"]] = outcome
            if len(batch) >= BATCH_SIZE:
                _save_batch(batch, summary)
                batch = {}
    if batch:
        _save_batch(batch, summary)
    return summary
