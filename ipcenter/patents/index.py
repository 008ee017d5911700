"""The Whoosh search index: derived from the database, written by one process at a time.

Every change to a patent adds a row to `patent_index_queue` in the same transaction
(see `watch_patent_changes`). The queue is drained under an exclusive file lock: after
each commit by a command or script, by the background worker (`flask mail worker`, which
also drains it for changes made in requests: a request never writes the index), and once
when the served app starts, so an interrupted import heals by itself. A process that finds the
lock taken leaves its rows to the holder, who looks again after releasing it. So several
workers never meet in Whoosh's own lock (no LockError) and no committed change is left behind.
"""
import fcntl
import hashlib
import logging
import os
import pickle
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_request_context
from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session
from whoosh import columns, fields, formats, index
from whoosh.analysis import RegexTokenizer

from ..extensions import db
from .analysis import patent_text_analyzer
from .classification import classification_terms, locarno_terms
from .models import SEPARATOR, IndexQueueEntry, Patent
from .numbers import number_variants
from .whoosh_segments import is_table_of_contents

log = logging.getLogger(__name__)
FACET_SEPARATOR = "\x1f"
DRAIN_BATCH = 2000


class FacetValues(fields.KEYWORD):
    """Several exact values per document (applicants, classes), kept in a list column for facet counts."""

    def __init__(self):
        super().__init__(analyzer=RegexTokenizer(rf"[^{FACET_SEPARATOR}]+"))
        self.column_type = columns.VarBytesListColumn()  # KEYWORD would make its own single-value column

    def to_column_value(self, value):
        return [part.encode("utf-8") for part in value.split(FACET_SEPARATOR) if part]

    def from_column_value(self, value):
        return [part.decode("utf-8") for part in value]


class NumberForms(fields.FieldType):
    """Every written form of a number, kept in a column only. A number belongs to one record, so an
    inverted list per form would cost the index a dozen terms per record; searches look the forms up
    in the column, sorted once per segment (matching.py)."""
    indexed = False

    def __init__(self):
        super().__init__(formats.Existence(), None, sortable=columns.VarBytesColumn())


class DayColumn(fields.FieldType):
    """A date as YYYYMMDD (0 for none), kept in a column only: date ranges are read from the column
    (matching.py), where a numeric field would also keep eight terms per record in the index."""
    indexed = False

    def __init__(self):
        super().__init__(formats.Existence(), None, sortable=columns.NumericColumn("I"))

    def to_column_value(self, value):
        return value

    def from_column_value(self, value):
        return value


def build_schema() -> fields.Schema:
    text = dict(analyzer=patent_text_analyzer(), phrase=True)
    return fields.Schema(**{
        "id": fields.ID(stored=True, unique=True),
        "stamp": fields.STORED(),
        "pn": NumberForms(), "an": NumberForms(),
        "ti": fields.TEXT(**text), "ab": fields.TEXT(**text), "cl": fields.TEXT(**text),
        "pa": fields.TEXT(**text), "in": fields.TEXT(**text),
        "ipc": fields.KEYWORD(), "cpc": fields.KEYWORD(), "lc": fields.KEYWORD(),
        "pd": DayColumn(), "ad": DayColumn(),
        "type": fields.ID(sortable=True), "year": fields.ID(sortable=True), "country": fields.ID(),
        "applicant": FacetValues(), "cls": FacetValues(),
        "visible": fields.ID(),
    })


SCHEMA = build_schema()


def field_layout(schema) -> list[tuple]:
    """What an index's fields are (kind, column, postings format): Whoosh's own schema equality
    compares column objects by identity, so it never holds for an index read back from disk."""
    return [(name, type(field).__name__, type(field.column_type).__name__ if field.column_type else None,
             type(field.format).__name__ if field.format else None) for name, field in schema.items()]


# Documents ----------------------------------------------------------------------

def _values(text: str | None) -> list[str]:
    return [value for value in (text or "").split(SEPARATOR) if value]


def _day(value) -> int | None:
    return int(value.strftime("%Y%m%d")) if value else None


def _class_facets(ipc: list[str], locarno: list[str]) -> list[str]:
    """IPC subclasses (F21V) and Locarno subclasses (26-05): the class facet's values."""
    subclasses = [terms[2] for terms in map(classification_terms, ipc) if len(terms) > 2]
    return list(dict.fromkeys(subclasses + [locarno_terms(code)[-1] for code in locarno if locarno_terms(code)]))


def visibility(organisation_id: int | None, publication_date) -> str:
    """Published records are public; an unpublished record of one of our enterprises is theirs alone."""
    return f"org:{organisation_id}" if organisation_id and publication_date is None else "public"


def patent_document(patent) -> dict:
    """The index document for a patent (an ORM object or a row with the same attributes)."""
    ipc, cpc, locarno = _values(patent.ipc), _values(patent.cpc), _values(patent.locarno)
    document = {
        "id": str(patent.id),
        "pn": " ".join(number_variants(patent.publication_number, patent.kind_code)),
        "an": " ".join(number_variants(patent.application_number)) if patent.application_number else "",
        "ti": patent.title, "ab": patent.abstract or "", "cl": patent.claims or "",
        "pa": " ; ".join(_values(patent.applicants)), "in": " ; ".join(_values(patent.inventors)),
        "ipc": " ".join(term for code in ipc for term in classification_terms(code)),
        "cpc": " ".join(term for code in cpc for term in classification_terms(code)),
        "lc": " ".join(term for code in locarno for term in locarno_terms(code)),
        "pd": _day(patent.publication_date), "ad": _day(patent.filing_date),
        "type": patent.patent_type, "country": patent.country,
        "year": str(patent.publication_date.year) if patent.publication_date else "",
        "applicant": FACET_SEPARATOR.join(_values(patent.applicants)),
        "cls": FACET_SEPARATOR.join(_class_facets(ipc, locarno)),
        "visible": visibility(patent.organisation_id, patent.publication_date),
    }
    document = {name: value for name, value in document.items() if value not in (None, "")}
    document["stamp"] = hashlib.sha1(repr(sorted(document.items())).encode()).hexdigest()[:16]
    return document


# The index on disk --------------------------------------------------------------

def index_folder() -> Path:
    return Path(current_app.config["INDEX_FOLDER"])


class IndexUnavailable(Exception):
    """Search cannot answer truthfully until `flask search rebuild` has run (search pages answer 503)."""


class IndexOutdated(IndexUnavailable):
    """The index on disk was built with another field layout than this version's."""

    def __str__(self):
        return "The search index was built by another version of ipcenter: run `flask search rebuild`."


class IndexMissing(IndexUnavailable):
    """No index where one was built: an empty one in its place would answer with wrong counts."""

    def __str__(self):
        return f"There is no search index in {index_folder()}: run `flask search rebuild`."


class IndexDamaged(IndexUnavailable):
    """A file of the index cannot be read (truncated, say)."""

    def __str__(self):
        return f"The search index in {index_folder()} cannot be read ({self.args[0]}): run `flask search rebuild`."


# What Whoosh raises on a file cut short or overwritten: it reads with struct, zlib and pickle.
UNREADABLE = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError)


@contextmanager
def reading_index() -> Iterator[None]:
    """Turn a failure to read the index's files into IndexDamaged."""
    try:
        yield
    except UNREADABLE as error:
        raise IndexDamaged(f"{type(error).__name__}: {error}") from error


def queue_holds_every_patent() -> bool:
    """Whether every patent still waits in the queue (a database never indexed): an index made now and fed
    the queue holds them all. Only then is a missing index made by anything but `flask search rebuild`."""
    unqueued = select(Patent.id).where(~Patent.id.in_(select(IndexQueueEntry.patent_id)))
    with db.engine.connect() as connection:
        return connection.execute(unqueued.limit(1)).first() is None


def open_index(folder: Path | None = None, *, may_start: bool = True):
    """The index, which must be there (IndexMissing) unless the database was never indexed and `may_start`."""
    folder = folder or index_folder()
    with reading_index():
        exists = index.exists_in(folder)
    if not exists:
        if not (may_start and queue_holds_every_patent()):
            raise IndexMissing()
        folder.mkdir(parents=True, exist_ok=True)
        with writer_lock(folder):
            if not index.exists_in(folder):
                index.create_in(folder, SCHEMA)
    with reading_index():
        opened = index.open_dir(folder)
    if field_layout(opened.schema) != field_layout(SCHEMA):
        raise IndexOutdated()
    return opened


@contextmanager
def writer_lock(folder: Path, blocking: bool = True) -> Iterator[bool]:
    """The one-writer lock (flock on a file beside the index); yields whether it was taken."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "writer.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Keeping in step ----------------------------------------------------------------

@event.listens_for(Session, "after_flush")
def watch_patent_changes(session, flush_context) -> None:
    """Queue, in the same transaction, every patent this flush added, changed or deleted."""
    changed = {obj.id for obj in session.new | session.deleted if isinstance(obj, Patent)}
    changed |= {obj.id for obj in session.dirty if isinstance(obj, Patent) and session.is_modified(obj)}
    if changed:
        queue_for_index(session, changed)


def queue_for_index(session, patent_ids) -> None:
    """Queue these patents in the session's transaction (for changes made without the ORM, too)."""
    session.connection().execute(insert(IndexQueueEntry), [{"patent_id": pid} for pid in sorted(patent_ids)])
    session.info["index_pending"] = True


@event.listens_for(Session, "after_commit")
def sync_after_commit(session) -> None:
    """Commands and scripts bring the index up to date at once; a request leaves it to the worker."""
    if session.info.pop("index_pending", False) and not session.info.get("index_deferred") \
            and not has_request_context():
        drain_index_queue()


@event.listens_for(Session, "after_soft_rollback")
def forget_rolled_back(session, previous_transaction) -> None:
    session.info.pop("index_pending", None)


@contextmanager
def index_sync_deferred():
    """Let a bulk import commit many batches and update the index once at the end."""
    db.session.info["index_deferred"] = True
    try:
        yield
    finally:
        db.session.info.pop("index_deferred", None)


def drain_index_queue() -> int:
    """Apply what is queued, if anything; a failure is logged and the queue keeps the changes for next time."""
    with db.engine.connect() as connection:
        if connection.scalar(select(IndexQueueEntry.id).limit(1)) is None:
            return 0
    try:
        return sync_index()
    except Exception:  # whatever the index's trouble, the caller (a commit, the mail worker) goes on
        log.exception("could not bring the search index up to date")
        return 0


def drain_when_served(app: Flask) -> None:
    """With SEARCH_SYNC_ON_START, apply beside the served app (wsgi.py) what a crash or an interrupted import
    left queued, from its first request: every command builds the same app and must not wait for it at exit.
    Not a daemon: a server that stops meanwhile waits for it, rather than leave the changes it took to nobody."""
    if not app.config["SEARCH_SYNC_ON_START"]:
        return
    serve = app.wsgi_app

    def first_request(environ, start_response):
        app.wsgi_app = serve
        threading.Thread(target=drain, name="index-drain-on-start").start()
        return serve(environ, start_response)

    def drain() -> None:
        with app.app_context():
            try:
                if inspect(db.engine).has_table(IndexQueueEntry.__tablename__):  # not before `flask db upgrade`
                    drain_index_queue()
            except Exception:  # the app serves on; the worker drains the queue later
                log.exception("could not look at the search index queue on start")

    app.wsgi_app = first_request  # type: ignore[method-assign]  # as WSGI middleware is added: see security.py


def pending_count() -> int:
    with db.engine.connect() as connection:
        return len(connection.execute(select(IndexQueueEntry.id)).all())


def sync_index(progress: Callable[[int], None] = lambda done: None) -> int:
    """Apply the queued changes to the index; returns how many documents were written."""
    folder, written = index_folder(), 0
    ix = open_index(folder)
    while True:
        with writer_lock(folder, blocking=False) as mine:
            if not mine:
                return written  # the holder looks at the queue again after releasing the lock
            written += _drain(ix, progress)
        if not pending_count():
            return written


def _drain(ix, progress) -> int:
    written = 0
    while True:
        with db.engine.connect() as connection:
            entries = connection.execute(
                select(IndexQueueEntry.id, IndexQueueEntry.patent_id).order_by(IndexQueueEntry.id).limit(DRAIN_BATCH)
            ).all()
            if not entries:
                return written
            ids = sorted({entry.patent_id for entry in entries})
            rows = {row.id: row for row in connection.execute(select(Patent.__table__).where(Patent.id.in_(ids)))}
        writer = ix.writer()
        for patent_id in ids:
            if patent_id in rows:
                writer.update_document(**patent_document(rows[patent_id]))
            else:
                writer.delete_by_term("id", str(patent_id))
        writer.commit()
        with db.engine.begin() as connection:  # exactly the entries read: later ones may have lower ids
            connection.execute(delete(IndexQueueEntry).where(IndexQueueEntry.id.in_([e.id for e in entries])))
        written += len(ids)
        progress(written)


def patent_rows(first: int | None = None, before: int | None = None, batch: int = 5000) -> Iterator:
    """Patent rows in id order, `first` <= id < `before`, read in batches."""
    table = Patent.__table__
    bounds = [table.c.id >= first] if first is not None else []
    bounds += [table.c.id < before] if before is not None else []
    last: int | None = None
    while True:
        after = [table.c.id > last] if last is not None else []
        with db.engine.connect() as connection:
            rows = connection.execute(select(table).where(*bounds, *after).order_by(table.c.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def check_index() -> dict[str, list[str]]:
    """Differences between index and database: missing, extra, stale (by publication number or id)."""
    with reading_index(), open_index(may_start=False).searcher() as searcher:  # a check never makes an index
        indexed = {fields["id"]: fields.get("stamp") for fields in searcher.all_stored_fields()}
    missing, stale = [], []
    for row in patent_rows():
        key = str(row.id)
        stamp = indexed.pop(key, None)
        if stamp is None:
            missing.append(row.publication_number)
        elif stamp != patent_document(row)["stamp"]:
            stale.append(row.publication_number)
    return {"missing": missing, "stale": stale, "extra": [f"id {key}" for key in sorted(indexed, key=int)]}


# Reading ------------------------------------------------------------------------

_local = threading.local()


def current_searcher():
    """This thread's searcher, reused across requests and refreshed when the index has changed.

    Never one over a file changed in place under it (cut short, say): reading it through its memory map
    would kill the process. A missing index is made only for a database never indexed, and fed at once."""
    folder = index_folder()
    files = _file_stamps(folder)
    if not any(map(is_table_of_contents, files)):
        sync_index()  # IndexMissing, unless the queue holds every patent
        files = _file_stamps(folder)
    searcher = getattr(_local, "searcher", None)
    if searcher is not None and (getattr(_local, "folder", None) != folder or _changed_in_place(_local.files, files)):
        searcher.close()  # another app (tests) in this thread, or files rewritten under it
        searcher = _local.searcher = None
    with reading_index():
        _local.searcher = searcher.refresh() if searcher is not None else open_index(folder).searcher()
    _local.folder, _local.files = folder, files
    return _local.searcher


def index_state() -> tuple:
    """What changes whenever the index does, or is damaged: the size and time of each of its files."""
    return tuple(sorted(_file_stamps(index_folder()).items()))


def _file_stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and time of each file of the index (none if the folder is gone)."""
    stamps: dict[str, tuple[int, int]] = {}
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return stamps
    for entry in entries:
        try:
            stat = entry.stat()
        except FileNotFoundError:  # removed by a writer's commit meanwhile
            continue
        if not entry.name.endswith(".lock"):
            stamps[entry.name] = (stat.st_size, stat.st_mtime_ns)
    return stamps


def _changed_in_place(before: dict, now: dict) -> bool:
    """A file present before and now whose size or time differs (new files and removed ones are Whoosh's own)."""
    return any(name in now and now[name] != stamp for name, stamp in before.items())
