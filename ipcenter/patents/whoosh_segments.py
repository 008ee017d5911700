"""Whoosh's segments as its W3 codec keeps them: the one module that reads or writes what Whoosh keeps private.

The array search (matching.py) reads a term's postings a block at a time and whole columns at once; the rebuild
(rebuild.py) writes segments from postings it gathered itself; the searcher (index.py) tells an index by its
table of contents. Whoosh's public API does none of these, so they use the internals of Whoosh 2.7.4 (pinned),
here only. tests/patents/test_whoosh_segments.py holds each function to Whoosh's own public reading and fails
if another module reads a private Whoosh name.
"""
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher, _lenfield
from whoosh.index import _DEF_INDEX_NAME, TOC, clean_files
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

# Reading ----------------------------------------------------------------------------------------------------

def _leaf_postings(reader, field: str, btext: bytes) -> W3LeafMatcher:
    """A term's postings in a segment as written, deleted documents included: `reader.postings` would wrap a
    segment with deletions in a FilterMatcher, which has neither the codec's blocks nor the positions' format.
    Always a leaf of blocks: the W3 codec's inline limit (1) admits no posting list."""
    return reader._terms.matcher(field, btext, reader.schema[field].format)


def posting_blocks(reader, field: str, btext: bytes) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """(documents, weights) of a term's postings in a segment (a leaf reader), a block at a time, deleted
    documents included."""
    matcher = _leaf_postings(reader, field, btext)
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield matcher._ids, matcher._weights
        matcher._next_block()


def posting_positions(reader, field: str, btext: bytes) -> Iterator[tuple[int, list[int]]]:
    """(document, positions) of each of a term's postings in a segment, deleted documents included."""
    matcher = _leaf_postings(reader, field, btext)
    decode = matcher.format.decoder("positions")
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_values()
        yield from zip(matcher._ids, map(decode, matcher._values), strict=True)
        matcher._next_block()


LENGTH_OF_BYTE = np.array([0.0] + [byte_to_length(byte) for byte in range(1, 256)], dtype=np.float32)


def field_lengths(reader, field: str, size: int) -> np.ndarray:
    """Each document's length in a field of a segment, as Whoosh's scoring reads it back (a byte per document);
    zeros for a field without lengths."""
    name = _lenfield(field)
    if not reader._perdoc.has_column(name):
        return np.zeros(size, dtype=np.float32)
    return LENGTH_OF_BYTE[numeric_column(reader._perdoc.column_reader(name, LENGTHS_COLUMN), size)]


def numeric_column(column, size: int) -> np.ndarray:
    """A numeric column (a `NumericColumn.Reader`) read at once. Whoosh writes the values of documents 0 to n-1
    (big-endian) and leaves out the documents after n, which read as the default."""
    stored = np.dtype(">" + column._typecode)
    values = np.full(size, column._default, dtype=stored.newbyteorder("="))
    count = min(column._count, size)
    values[:count] = np.frombuffer(column._dbfile.get(column._basepos, count * stored.itemsize), dtype=stored)
    return values


# Files ------------------------------------------------------------------------------------------------------

_TABLE_OF_CONTENTS = TOC._pattern(_DEF_INDEX_NAME)


def is_table_of_contents(filename: str) -> bool:
    """Whether a file in an index folder is a table of contents (_MAIN_<generation>.toc): an index is there
    when one is."""
    return _TABLE_OF_CONTENTS.match(filename) is not None


def remove_unlisted_segments(ix) -> None:
    """Remove the files of segments that the index's latest table of contents does not list (written for a
    commit that never came)."""
    clean_files(ix.storage, ix.indexname, ix.latest_generation(), ix._segments())


# Writing ----------------------------------------------------------------------------------------------------

class SegmentFiles:
    """New segments written straight through the W3 codec: each document's stored fields, lengths and columns as
    it comes, then all of a segment's postings at once, in the order Whoosh's writer writes them. Whoosh's
    SegmentWriter sets up and finishes each segment's files; its posting pool stays empty and its lock untaken
    (the caller holds it). The segments go into the index by `writer.commit(mergetype=...)`."""

    def __init__(self, ix):
        self._writer = SegmentWriter(ix, _lk=False, codec=W3Codec())
        self.schema = self._writer.schema

    @property
    def document_count(self) -> int:
        """Documents in the segment being written: the number the next one gets."""
        return self._writer.docnum

    def add_document(self, fields: Iterable[tuple[str, object, int]]) -> None:
        """A document's (field name, value, length in words) in name order; each value is stored and kept in a
        column where the schema says so."""
        writer = self._writer
        perdoc = writer.perdocwriter
        perdoc.start_doc(writer.docnum)
        for name, value, length in fields:
            field = self.schema[name]
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type and value is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        writer.docnum += 1

    def finish_segment(self, postings: dict[str, dict[bytes, list]], lengths: dict[str, dict[int, int]]):
        """Write the segment's postings and close it; returns the segment. `postings`: field -> term -> [document,
        weight, encoded value, document, ...] with documents ascending; `lengths`: field -> document -> length,
        as the length column gives it back."""
        writer = self._writer
        writer.perdocwriter.close()
        fieldwriter = writer.fieldwriter
        for name in sorted(postings):  # field numbers in name order, as Whoosh's sorted pool gives them
            fieldwriter.start_field(name, self.schema[name])
            terms, document_lengths = postings[name], lengths.get(name, {})
            for btext in sorted(terms):
                fieldwriter.start_term(btext)
                flat = iter(terms[btext])
                for docnum, weight, encoded in zip(flat, flat, flat, strict=True):
                    fieldwriter.add(docnum, weight, encoded, document_lengths.get(docnum, 0))
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        writer._close_segment()
        writer._assemble_segment()
        return writer.get_segment()

    def start_segment(self) -> None:
        """Begin another segment after a finished one."""
        writer = self._writer
        writer.newsegment = writer.codec.new_segment(writer.storage, writer.indexname)
        writer.perdocwriter = writer.codec.per_document_writer(writer.storage, writer.newsegment)
        writer.fieldwriter = writer.codec.field_writer(writer.storage, writer.newsegment)
        writer.docnum = 0

    def close(self) -> None:
        """Close the files of the segment being written; nothing refers to them (remove_unlisted_segments)."""
        self._writer._close_segment()
