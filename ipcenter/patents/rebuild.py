"""Rebuilding the index from the database: each process writes its own segments from its own share of the rows.

Whoosh's multi-process writer has the parent read every row and pickle it to a job file for a child to unpickle;
each child then adds one tuple per posting to a pool, sorts the pool at the end and reads every posting's field
length back from disk while writing. Here each process reads its own range of ids, gathers postings per term
in memory and writes them in term order with the lengths it already knows, through Whoosh's own codec: the files
are those Whoosh writes (tests/patents/test_rebuild.py compares them).
"""
import gc
import logging
import multiprocessing
import queue
import sys
import traceback
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import cast

from flask import Flask, current_app
from sqlalchemy import delete, func, select
from werkzeug.local import LocalProxy
from whoosh import formats, index
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length, length_to_byte

from ..extensions import db
from .analysis import MixedTokenizer
from .index import SCHEMA, UNREADABLE, field_layout, index_folder, patent_document, patent_rows, sync_index, writer_lock
from .models import IndexQueueEntry, Patent
from .whoosh_segments import SegmentFiles, remove_unlisted_segments

SEGMENT_POSTINGS = 12_000_000  # held in memory per segment, about 1.2 GB; a larger share becomes several segments
PROGRESS_EVERY = 1000
log = logging.getLogger(__name__)


class SegmentBuilder:
    """Writes segments of new documents from postings gathered in memory (whoosh_segments.SegmentFiles writes
    their files); never takes Whoosh's lock (the rebuild's parent holds it)."""

    def __init__(self, ix):
        self.files = SegmentFiles(ix)
        self.schema = self.files.schema
        if any(field.vector or field.separate_spelling() for _, field in self.schema.items()):
            raise ValueError("the rebuild writes no term vectors or spelling words; this schema asks for them")
        self.segments = []
        self._clear()

    def _clear(self) -> None:
        # field -> term -> [docnum, weight, value, docnum, weight, value, ...]: a flat list instead of a tuple
        # per posting keeps a 100,000-record share in 1.2 GB rather than 1.9
        self.postings: dict[str, dict[bytes, list]] = {}
        self.lengths: dict[str, dict[int, int]] = {}  # field -> docnum -> length, as the length column gives it back
        self.posting_count = 0

    def add_document(self, **values) -> None:
        docnum, fields = self.files.document_count, []
        for name in sorted(values):
            field, value = self.schema[name], values[name]
            fields.append((name, value, self._index(name, field, value, docnum) if field.indexed else 0))
        self.files.add_document(fields)
        if self.posting_count >= SEGMENT_POSTINGS:
            self._next_segment()

    def _index(self, name: str, field, value, docnum: int) -> int:
        terms = self.postings.setdefault(name, {})
        length = added = 0
        for btext, frequency, weight, encoded in _field_postings(field, value):
            entry = terms.get(btext)
            if entry is None:
                terms[btext] = [docnum, weight, encoded]
            else:
                entry += docnum, weight, encoded
            length += frequency
            added += 1
        self.posting_count += added
        if not (field.scorable and length):
            return 0
        self.lengths.setdefault(name, {})[docnum] = byte_to_length(length_to_byte(length))
        return length

    def _next_segment(self) -> None:
        """Close the segment being written and start another (bounds memory on a large share)."""
        self.segments.append(self.files.finish_segment(self.postings, self.lengths))
        self._clear()
        self.files.start_segment()

    def abandon(self) -> None:
        """Close the files of the segment being written; nothing refers to them, the parent removes them."""
        self.files.close()

    def finish(self) -> list:
        """The segments written (the parent's commit removes the temporary folder the writers share)."""
        if self.files.document_count:
            self.segments.append(self.files.finish_segment(self.postings, self.lengths))
        else:
            self.files.close()
        return self.segments


_single_positions: dict[int, bytes] = {}  # the encoding depends on the positions alone
_UNIT_WEIGHTS = tuple(float(frequency) for frequency in range(256))  # one float object each, shared by postings


def _encoded_positions(format_: formats.Positions, positions: list[int]) -> bytes:
    """Whoosh's encoding of a posting's positions; most words occur once, so those encodings are kept."""
    if len(positions) > 1:
        return format_.encode(positions)
    encoded = _single_positions.get(positions[0])
    if encoded is None:
        encoded = _single_positions[positions[0]] = format_.encode(positions)
    return encoded


def _field_postings(field, value) -> Iterator[tuple[bytes, int, float, bytes]]:
    """(term, frequency, weight, encoded value) of each term of a field's value, as `field.index` yields them."""
    format_ = field.format
    if isinstance(field.analyzer, MixedTokenizer) and type(format_) is formats.Positions and isinstance(value, str):
        boost = format_.field_boost
        for word, positions in field.analyzer.word_positions(value).items():
            frequency = len(positions)
            weight = _UNIT_WEIGHTS[frequency] if boost == 1.0 and frequency < 256 else frequency * boost
            yield word.encode("utf-8"), frequency, weight, _encoded_positions(format_, positions)
        return
    for btext, frequency, weight, encoded in field.index(value):
        yield btext, frequency, weight, emptybytes if encoded is None else encoded


# The rebuild ------------------------------------------------------------------------------------------------

def id_shares(processes: int) -> list[tuple[int | None, int | None]]:
    """Id ranges [first, before) with about as many patents each, one per process."""
    total = db.session.execute(select(func.count(Patent.id))).scalar_one()
    processes = max(1, min(processes, total))
    bounds = [db.session.scalar(select(Patent.id).order_by(Patent.id).offset(total * k // processes).limit(1))
              for k in range(1, processes)]
    edges = [None, *bounds, None]
    return list(pairwise(edges))


def build_share(ix, share: tuple[int | None, int | None], report: Callable[[int], None]) -> list:
    """Write the segments for one share of the patents; `report` hears how many are done now and then."""
    builder = SegmentBuilder(ix)
    collecting = gc.isenabled()
    gc.disable()  # millions of long-lived postings: collections would walk them again and again, freeing nothing
    try:
        count = 0
        for count, row in enumerate(patent_rows(*share), start=1):
            builder.add_document(**patent_document(row))
            if count % PROGRESS_EVERY == 0:
                report(PROGRESS_EVERY)
        report(count % PROGRESS_EVERY)
        return builder.finish()
    except BaseException:
        builder.abandon()
        raise
    finally:
        if collecting:
            gc.enable()


def _share_process(app, ix, share, messages) -> None:
    """A forked writer process: its own database connections, its share, its segments back to the parent."""
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        try:
            segments = build_share(ix, share, lambda done: messages.put(("progress", done)))
        except Exception as error:
            messages.put(("failed", (_reason(error), traceback.format_exc())))
            sys.exit(1)  # the parent reports it
        messages.put(("segments", (share, segments)))


class _Tally:
    """Adds up the counts the writers report and passes the running total on."""

    def __init__(self, progress: Callable[[int], None]):
        self.done, self.progress = 0, progress

    def __call__(self, count: int) -> None:
        self.done += count
        self.progress(self.done)


class RebuildFailed(Exception):
    """A writer process failed; the index is as it was before the rebuild."""

    def __init__(self, reason: str, details: str = ""):
        super().__init__(reason)
        self.reason, self.details = reason, details

    def __str__(self):
        return f"the rebuild stopped, the index is as it was: {self.reason}"


def _reachable_from_other_processes() -> bool:
    url = db.engine.url
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _build_here(ix, share, progress: Callable[[int], None]) -> list:
    try:
        return build_share(ix, share, _Tally(progress))
    except Exception as error:
        raise RebuildFailed(_reason(error), traceback.format_exc()) from error


def _build_in_processes(ix, shares, progress: Callable[[int], None]) -> list:
    context = multiprocessing.get_context("fork")  # the children share the app and its settings
    messages = context.Queue()
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()  # Flask types the proxy as the app
    workers = [context.Process(target=_share_process, args=(app, ix, share, messages), daemon=True)
               for share in shares]
    for worker in workers:
        worker.start()
    tally = _Tally(progress)
    built: dict[tuple[int | None, int | None], list] = {}  # segments by share
    try:
        while len(built) < len(shares):
            try:
                kind, content = messages.get(timeout=1)
            except queue.Empty:
                ended = [worker.exitcode for worker in workers if worker.exitcode not in (None, 0)]
                if ended:
                    raise RebuildFailed(f"a writer process ended unexpectedly (exit code {ended[0]})") from None
                continue
            if kind == "failed":
                raise RebuildFailed(*content)
            if kind == "progress":
                tally(content)
            else:
                built[content[0]] = content[1]
    finally:
        for worker in workers:
            if worker.is_alive() and len(built) < len(shares):
                worker.terminate()
            worker.join()
    return [segment for share in shares for segment in built[share]]


def _index_to_replace(folder):
    """The index whose segments the rebuild replaces: the one there, or a new one if it is missing, cannot be
    read or has other fields."""
    try:
        ix = index.open_dir(folder) if index.exists_in(folder) else None
    except UNREADABLE:
        ix = None
    if ix is None or field_layout(ix.schema) != field_layout(SCHEMA):
        ix = index.create_in(folder, SCHEMA)
    return ix


def rebuild_index(progress: Callable[[int], None] = lambda done: None, processes: int = 2) -> int:
    """Write a fresh index from the database, in `processes` processes; readers see the switch at once."""
    folder = index_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with writer_lock(folder):
        with db.engine.begin() as connection:  # what is queued now is covered by the rebuild
            connection.execute(delete(IndexQueueEntry))
        ix = _index_to_replace(folder)
        shares = id_shares(processes if _reachable_from_other_processes() else 1)
        writer = ix.writer()  # Whoosh's lock and the next generation; the segments come from the builders
        try:
            if len(shares) > 1:
                segments = _build_in_processes(ix, shares, progress)
            else:
                segments = _build_here(ix, shares[0], progress)
        except BaseException as failure:
            writer.cancel()
            remove_unlisted_segments(ix)  # the unfinished ones
            if isinstance(failure, RebuildFailed) and failure.details:
                log.error("index rebuild: a writer process failed:\n%s", failure.details)
            raise
        writer.commit(mergetype=lambda writer, old_segments: segments)  # the old segments go
        count = sum(segment.doc_count_all() for segment in segments)
    sync_index()
    return count
