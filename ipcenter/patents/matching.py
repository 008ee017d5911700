"""Evaluating queries over the index with arrays.

Whoosh writes and stores the index. Read through Whoosh's matchers, a query walks its
posting lists one document at a time in Python, which takes seconds for a common word,
a number prefix or a forty-word similar-patent query over 200,000 records. Here a term's
posting list in a segment is read once into NumPy arrays and kept in a bounded cache
(as a search server keeps hot postings in memory); a query then becomes whole-array
operations: a mask of the matching documents and their BM25 scores.

Postings are read a block at a time and columns at once through whoosh_segments.py, the one module that
reads Whoosh's internals; the tests `test_posting_arrays_equal_whoosh_postings` and
`test_segment_arrays_equal_what_whoosh_reads_per_document` hold the arrays to Whoosh's own reading.
"""
import fnmatch
import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l
from whoosh import columns
from whoosh import query as wq
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from .query import QueryError
from .whoosh_segments import field_lengths, numeric_column, posting_blocks, posting_positions

# BM25, tuned on CISI (bench/search.py --cisi-only).
K1, B = 1.2, 0.75
SCORED_FIELDS = frozenset({"ti", "ab", "cl", "pa", "in"})
NUMBER_FIELDS = frozenset({"pn", "an"})  # column-only fields (index.NumberForms)
MAX_EXPANSION = 5000
CACHE_BUDGET = 24_000_000  # posting entries kept in memory (about 200 MB at 8 bytes each)


class TooBroad(Exception):
    """A wildcard that stands for more words than a search may expand to."""

    def __init__(self, query, limit: int):
        super().__init__(query)
        self.query, self.limit = query, limit


class UnsupportedQuery(QueryError):
    """A kind of query node the array evaluation has no rule for. A QueryError, so that every caller refuses the
    search with its message (a 400 on the results page and the export) rather than fail with a server error."""

    def __init__(self, query):
        super().__init__(_l("The search cannot evaluate “%(part)s” in this query: write it with words, phrases, "
                            "wildcards, field prefixes or dates.", part=str(query)),
                         getattr(query, "startchar", None) or 0)
        self.query = query


@dataclass
class Postings:
    docs: np.ndarray  # segment document numbers, ascending
    frequencies: np.ndarray
    field: str
    btext: bytes
    _position_keys: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.docs)

    def position_keys(self, reader) -> np.ndarray:
        """(document << 32 | position) for every occurrence, ascending; read from `reader` the first time."""
        if self._position_keys is None:
            keys: list[int] = []
            for docnum, positions in posting_positions(reader, self.field, self.btext):
                keys.extend((docnum << 32) | position for position in positions)
            self._position_keys = np.array(keys, dtype=np.int64)
        return self._position_keys


class PostingCache:
    """Posting lists by (segment, field, term), least recently used out first, bounded by entries."""

    def __init__(self, budget: int):
        self.budget, self.held = budget, 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, segment_id: str, reader, field: str, btext: bytes) -> Postings | None:
        key = (segment_id, field, btext)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        postings = _read_postings(reader, field, btext)
        with self._lock:
            if key not in self._entries:
                self._entries[key] = postings
                self.held += postings.size if postings else 0
                while self.held > self.budget and len(self._entries) > 1:
                    _, dropped = self._entries.popitem(last=False)
                    self.held -= dropped.size if dropped else 0
        return postings

    def forget_segments(self, live_ids: set[str]) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[0] not in live_ids]:
                dropped = self._entries.pop(key)
                self.held -= dropped.size if dropped else 0


def _read_postings(reader, field: str, btext: bytes) -> Postings | None:
    if (field, btext) not in reader:
        return None
    # deleted documents included, so a cached list stays right as deletions come: evaluations end with the live mask
    ids, weights = [], []
    for block_ids, block_weights in posting_blocks(reader, field, btext):
        ids.append(np.asarray(block_ids, dtype=np.int32))
        weights.append(np.asarray(block_weights, dtype=np.float32))
    return Postings(np.concatenate(ids), np.concatenate(weights), field, btext)


POSTINGS = PostingCache(CACHE_BUDGET)


class SegmentArrays:
    """One segment's per-document arrays (field lengths, columns, live documents), read once.

    A segment's documents never change, only which are deleted; each search passes its own
    reader (any reader of the segment reads the same), as readers close with their searchers."""

    def __init__(self, segment_id: str, size: int):
        self.segment_id, self.size = segment_id, size
        self._arrays: dict = {}
        self._lock = threading.Lock()

    def _cached(self, key, build):
        if key not in self._arrays:
            value = build()
            with self._lock:
                self._arrays.setdefault(key, value)
        return self._arrays[key]

    def live(self, reader) -> np.ndarray:
        segment = reader.segment()

        def build():
            live = np.ones(self.size, dtype=bool)
            if segment.deleted_count():
                live[np.fromiter(segment.deleted_docs(), dtype=np.int64)] = False
            return live
        return self._cached(("live", segment.deleted_count()), build)

    def lengths(self, reader, field: str) -> np.ndarray:
        """Each document's length in a field, as Whoosh's scoring reads it back (a byte per document)."""
        return self._cached(("length", field), lambda: field_lengths(reader, field, self.size))

    def numbers(self, reader, field: str) -> np.ndarray:
        """A numeric column (dates as YYYYMMDD); 0 where a record has none."""
        def build():
            column = reader.column_reader(field, translate=False)
            if isinstance(column, columns.NumericColumn.Reader):
                return numeric_column(column, self.size).astype(np.int64)
            return np.fromiter((value or 0 for value in column), dtype=np.int64, count=self.size)
        return self._cached(("numbers", field), build)

    def facet_values(self, reader, field: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(distinct values, owning document, value code) for every value of a facet field. Each value is a
        term of the field, so its postings say which documents have it: no pass over every document."""
        def build():
            values, owners, codes = [], [], []
            for btext in reader.lexicon(field):
                postings = _read_postings(reader, field, btext)
                owners.append(postings.docs)
                codes.append(np.full(len(postings.docs), len(values), dtype=np.int64))
                values.append(btext.decode("utf-8"))
            if not values:
                return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            return values, np.concatenate(owners).astype(np.int64), np.concatenate(codes)
        return self._cached(("facet", field), build)

    def numbers_sorted(self, reader, field: str) -> tuple[np.ndarray, np.ndarray]:
        """Every written form (UTF-8) of every number in a number field, sorted, and the document of each."""
        def build():
            forms, docs = [], []
            for docnum, value in enumerate(reader.column_reader(field)):
                written = (value if isinstance(value, bytes) else (value or "").encode("utf-8")).split()
                forms += written
                docs += [docnum] * len(written)
            forms = np.array(forms, dtype=bytes) if forms else np.zeros(0, dtype="S1")
            order = np.argsort(forms, kind="stable")
            return forms[order], np.array(docs, dtype=np.int64)[order]
        return self._cached(("sorted", field), build)


_segments: dict[str, SegmentArrays] = {}
_segments_lock = threading.Lock()


@dataclass
class SegmentView:
    """A segment as one searcher sees it: its cached arrays, this searcher's reader, where its documents start."""
    arrays: SegmentArrays
    reader: SegmentReader
    offset: int


def segment_views(searcher) -> list[SegmentView]:
    """Each segment of this searcher; the arrays and postings of merged-away segments are let go."""
    views = []
    with _segments_lock:
        for reader, offset in searcher.reader().leaf_readers():
            if reader.segment() is None:  # an empty index
                continue
            segment_id = reader.segment().segment_id()
            arrays = _segments.get(segment_id) or SegmentArrays(segment_id, reader.doc_count_all())
            views.append(SegmentView(arrays, reader, offset))
        current = {view.arrays.segment_id for view in views}
        if current != set(_segments):
            _segments.clear()
            _segments.update({view.arrays.segment_id: view.arrays for view in views})
            POSTINGS.forget_segments(current)
    return views


class Statistics:
    """Collection-wide figures for BM25, shared by every segment of one search: over the records `counted`
    matches (a query; None for every record). Counting only what a viewer may see, nobody's ranking changes
    with records they may not see."""

    def __init__(self, searcher: Searcher, counted=None):
        self.searcher = searcher
        self._counted = None if counted is None else [
            (view, SegmentEvaluation(view, Statistics(searcher), defaultdict(set)).evaluate(counted)[0]
             & view.arrays.live(view.reader)) for view in segment_views(searcher)]
        documents = (searcher.doc_count() if self._counted is None
                     else sum(int(mask.sum()) for _, mask in self._counted))
        self.documents = max(documents, 1)
        self._average: dict[str, float] = {}
        self._idf: dict[tuple, float] = {}

    def average_length(self, field: str) -> float:
        if field not in self._average:
            if self._counted is None:
                self._average[field] = self.searcher.avg_field_length(field, 1.0) or 1.0
            else:
                total = sum(float(view.arrays.lengths(view.reader, field)[mask].sum()) for view, mask in self._counted)
                self._average[field] = total / self.documents or 1.0
        return self._average[field]

    def frequency(self, field: str, btext: bytes) -> int:
        """How many counted records have the word in the field."""
        if self._counted is None:
            return self.searcher.doc_frequency(field, btext)
        found = ((mask, POSTINGS.get(view.arrays.segment_id, view.reader, field, btext))
                 for view, mask in self._counted)
        return sum(int(np.count_nonzero(mask[postings.docs])) for mask, postings in found if postings is not None)

    def idf(self, field: str, btext: bytes) -> float:
        key = (field, btext)
        if key not in self._idf:
            frequency = self.frequency(field, btext)
            self._idf[key] = float(np.log(1 + (self.documents - frequency + 0.5) / (frequency + 0.5)))
        return self._idf[key]


def length_norm(lengths, field: str, statistics: Statistics):
    """BM25's length normalisation: how much longer than the field's average a record's field is."""
    return 1 - B + B * lengths / statistics.average_length(field)


def saturated(frequency):
    """BM25's saturation of a (length-normalised) frequency."""
    return frequency * (K1 + 1) / (frequency + K1)


class SegmentEvaluation:
    """A query's matches in one segment: a mask over its documents and their scores."""

    def __init__(self, view: SegmentView, statistics: Statistics, matched_terms: dict):
        self.arrays, self.reader, self.statistics = view.arrays, view.reader, statistics
        self.matched_terms = matched_terms  # field -> words that matched, for highlighting
        self.schema = view.reader.schema

    def empty(self):
        return np.zeros(self.arrays.size, dtype=bool), self.no_scores()

    def everything(self):
        """Every live document, unscored: where an AND starts."""
        return self.arrays.live(self.reader).copy(), self.no_scores()

    def no_scores(self):
        return np.zeros(self.arrays.size, dtype=np.float32)

    def evaluate(self, query):
        if isinstance(query, type(wq.NullQuery)):
            return self.empty()
        handler = self.RULES.get(type(query))  # the exact kind: a subclass (FuzzyTerm of Term) means more
        if handler is None:
            raise UnsupportedQuery(query)
        return handler(self, query)

    def _btext(self, field: str, text) -> bytes:
        return self.schema[field].to_bytes(text) if not isinstance(text, bytes) else text

    def postings(self, field: str, btext: bytes) -> Postings | None:
        return POSTINGS.get(self.arrays.segment_id, self.reader, field, btext)

    def _word(self, btext: bytes, fields: list[tuple[str, float]]):
        """A word in one or more fields ((name, boost) pairs). In text fields, BM25F: the fields' weighted,
        length-normalised frequencies add up before they saturate, so a word in title and abstract counts once."""
        mask, scores = self.empty()
        weight = max(boost for _, boost in fields)
        frequency = self.no_scores()
        idf = None
        for field, boost in fields:
            postings = self.postings(field, btext)
            if postings is None:
                continue
            mask[postings.docs] = True
            if field not in SCORED_FIELDS:  # classes, numbers: rarer is better, frequency means nothing
                scores[postings.docs] += boost * self.statistics.idf(field, btext)
                continue
            lengths = self.arrays.lengths(self.reader, field)[postings.docs]
            frequency[postings.docs] += boost / weight * postings.frequencies / length_norm(lengths, field,
                                                                                            self.statistics)
            idf = min(idf or np.inf, self.statistics.idf(field, btext))
            self.matched_terms[field].add(btext.decode("utf-8"))
        if idf is not None:
            counted = frequency > 0
            scores[counted] += weight * idf * saturated(frequency[counted])
        return mask, scores

    def _term(self, query: wq.Term):
        if query.fieldname in NUMBER_FIELDS:
            return self._numbers(query.fieldname, query.text, query.text)
        return self._word(self._btext(query.fieldname, query.text), [(query.fieldname, query.boost)])

    def _and(self, query: wq.And):
        mask, scores = self.everything()
        for part in query.subqueries:
            if isinstance(part, wq.Not):
                mask &= ~self.evaluate(part.query)[0]
                continue
            part_mask, part_scores = self.evaluate(part)
            mask &= part_mask
            scores += part_scores
        return mask, scores * query.boost

    def _or(self, query: wq.Or):
        mask, scores = self.empty()
        words = defaultdict(list)  # the same word in several fields is scored as one (BM25F)
        for part in query.subqueries:
            if isinstance(part, wq.Term):
                words[self._btext(part.fieldname, part.text)].append((part.fieldname, part.boost))
                continue
            part_mask, part_scores = self.evaluate(part)
            mask |= part_mask
            scores += part_scores
        for btext, fields in words.items():
            word_mask, word_scores = self._word(btext, fields)
            mask |= word_mask
            scores += word_scores
        return mask, scores * query.boost

    def _not(self, query: wq.Not):
        return self.arrays.live(self.reader) & ~self.evaluate(query.query)[0], self.no_scores()

    def _every(self, query):
        return self.everything()

    def _phrase(self, query: wq.Phrase):
        """The words in order, each within `slop` positions after the one before."""
        terms = [self._btext(query.fieldname, word) for word in query.words]
        lists = [postings for btext in terms if (postings := self.postings(query.fieldname, btext)) is not None]
        if len(lists) < len(terms):  # a word not in this segment
            return self.empty()
        mask, scores = self.everything()
        for btext in terms:
            term_mask, term_scores = self._word(btext, [(query.fieldname, query.boost)])
            mask &= term_mask
            scores += term_scores
        keys = _within(lists[0].position_keys(self.reader), mask)
        for postings in lists[1:]:
            following = _within(postings.position_keys(self.reader), mask)
            first = np.searchsorted(keys, following - query.slop)  # the nearest earlier word at most slop back
            found = first < len(keys)
            found[found] = keys[first[found]] < following[found]
            keys = following[found]
        in_phrase = np.zeros(self.arrays.size, dtype=bool)
        in_phrase[np.unique(keys >> 32)] = True
        return in_phrase, np.where(in_phrase, scores, 0)

    def _prefix(self, query: wq.Prefix):
        if query.fieldname in NUMBER_FIELDS:
            return self._numbers(query.fieldname, query.text, query.text + "\uffff")
        words = self.reader.expand_prefix(query.fieldname, query.text)
        return self._expanded(query, words)

    def _wildcard(self, query: wq.Wildcard):
        stem = re.split(r"[*?]", query.text, maxsplit=1)[0]
        pattern = re.compile(fnmatch.translate(query.text))
        words = (btext for btext in self.reader.expand_prefix(query.fieldname, stem)
                 if pattern.match(btext.decode("utf-8")))
        return self._expanded(query, words)

    def _expanded(self, query, words):
        mask, scores = self.empty()
        for count, btext in enumerate(words, start=1):
            if count > MAX_EXPANSION:
                raise TooBroad(query, MAX_EXPANSION)
            term_mask, term_scores = self._word(btext, [(query.fieldname, query.boost)])
            mask |= term_mask
            scores += term_scores
        return mask, scores

    def _numbers(self, field: str, first: str, last: str):
        """Records with a written form of their number from `first` to `last` (a prefix: last = first + \uffff)."""
        forms, docs = self.arrays.numbers_sorted(self.reader, field)
        mask, scores = self.empty()
        # UTF-8 bytes sort as the characters do (U+FFFF, the end of a prefix, too)
        start = np.searchsorted(forms, first.encode("utf-8"), side="left")
        end = np.searchsorted(forms, last.encode("utf-8"), side="right")
        mask[docs[start:end]] = True
        return mask & self.arrays.live(self.reader), scores

    def _numericrange(self, query: wq.NumericRange):
        days = self.arrays.numbers(self.reader, query.fieldname)
        mask = self.arrays.live(self.reader) & (days > 0)
        if query.start is not None:
            mask &= days > query.start if query.startexcl else days >= query.start
        if query.end is not None:
            mask &= days < query.end if query.endexcl else days <= query.end
        return mask, self.no_scores()

    RULES = {wq.Term: _term, wq.And: _and, wq.Or: _or, wq.Not: _not, wq.Every: _every, wq.Phrase: _phrase,
             wq.Prefix: _prefix, wq.Wildcard: _wildcard, wq.NumericRange: _numericrange}


def _within(keys: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return keys[mask[keys >> 32]]


@dataclass
class Matches:
    """A query's matches over the whole index."""
    segments: list[tuple[SegmentView, np.ndarray, np.ndarray]]  # (segment, mask, scores)
    matched_terms: dict[str, set[str]]

    @property
    def total(self) -> int:
        return int(sum(mask.sum() for _, mask, _ in self.segments))

    def top(self, limit: int, sort: str = "relevance") -> list[tuple[int, float]]:
        """(global document number, score) of the best `limit` matches: by score, or by publication date."""
        candidates = []
        for view, mask, scores in self.segments:
            docs = np.flatnonzero(mask)
            if not len(docs):
                continue
            days = view.arrays.numbers(view.reader, "pd")[docs]
            keys = self._order(scores[docs], days, sort)
            if len(docs) > limit:  # keep at least `limit` best, and whatever ties with the last of them
                cut = np.partition(keys[0], limit - 1)[limit - 1]
                kept = keys[0] <= cut
                docs, keys = docs[kept], tuple(key[kept] for key in keys)
            candidates.append((docs + view.offset, scores[docs], keys))
        if not candidates:
            return []
        docs = np.concatenate([c[0] for c in candidates])
        scores = np.concatenate([c[1] for c in candidates])
        keys = tuple(np.concatenate([c[2][i] for c in candidates]) for i in range(len(candidates[0][2])))
        order = np.lexsort([docs, *keys[::-1]])[:limit]
        return [(int(docs[i]), float(scores[i])) for i in order]

    @staticmethod
    def _order(scores: np.ndarray, days: np.ndarray, sort: str) -> tuple:
        """Sort keys, most significant first, all ascending; undated records go last in date orders."""
        undated = (days == 0).astype(np.int64)
        if sort == "newest":
            return undated * (1 << 40) - days, -scores
        if sort == "oldest":
            return undated * (1 << 40) + days, -scores
        return -scores, -days

    def closest(self, limit: int, share: float) -> "Matches":
        """Only the `limit` best-scoring matches that score at least `share` of the best."""
        best = self.top(limit)
        floor = best[0][1] * share if best else 0
        kept = np.array([doc for doc, score in best if score >= floor], dtype=np.int64)
        segments = []
        for view, mask, scores in self.segments:
            narrowed = np.zeros_like(mask)
            inside = kept[(kept >= view.offset) & (kept < view.offset + view.arrays.size)]
            narrowed[inside - view.offset] = True
            segments.append((view, narrowed, scores))
        return Matches(segments, self.matched_terms)

    def facet_counts(self, field: str) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for view, mask, _ in self.segments:
            values, owners, codes = view.arrays.facet_values(view.reader, field)
            if not len(codes):
                continue
            for code, count in enumerate(np.bincount(codes[mask[owners]], minlength=len(values))):
                if count:
                    counts[values[code]] += int(count)
        return counts


def match(searcher, query, restrict=None, exclude=None, statistics: Statistics | None = None) -> Matches:
    """Evaluate `query` in every segment; `restrict` keeps only what it matches, `exclude` drops what it does."""
    statistics = statistics or Statistics(searcher)
    matched_terms: dict[str, set[str]] = defaultdict(set)
    found = []
    for view in segment_views(searcher):
        mask, scores = SegmentEvaluation(view, statistics, matched_terms).evaluate(query)
        mask = mask & view.arrays.live(view.reader)
        if restrict is not None:
            mask &= SegmentEvaluation(view, statistics, defaultdict(set)).evaluate(restrict)[0]
        if exclude is not None:
            mask &= ~SegmentEvaluation(view, statistics, defaultdict(set)).evaluate(exclude)[0]
        found.append((view, mask, scores))
    return Matches(found, matched_terms)
