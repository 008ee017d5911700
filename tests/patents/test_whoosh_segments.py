"""The one module that reads Whoosh's internals reads what Whoosh's public API reads, and no other module reads them."""
import ast
import random
import warnings
from datetime import date
from pathlib import Path

import pytest
import whoosh
from whoosh import index
from whoosh.util.numeric import byte_to_length, length_to_byte

from ipcenter.patents.demo import _record
from ipcenter.patents.index import SCHEMA, patent_document
from ipcenter.patents.models import Patent
from ipcenter.patents.whoosh_segments import (
    SegmentFiles,
    field_lengths,
    is_table_of_contents,
    numeric_column,
    posting_blocks,
    posting_positions,
    remove_unlisted_segments,
)
from tests.patents.test_rebuild import index_contents

PACKAGE = Path(__file__).resolve().parents[2] / "ipcenter"
ADAPTER = PACKAGE / "patents" / "whoosh_segments.py"
DELETED = ["7", "200", "301"]


def documents() -> list[dict]:
    """300 demonstration patents, then two bare records without dates (the columns' last documents have none)."""
    rng = random.Random(12)
    patents = [_record(rng, number, date(2026, 1, 1)) for number in range(300)]
    patents += [Patent(country="CN", publication_number=f"CN39900000{n}", patent_type="design", title="灯罩 lamp shade")
                for n in (1, 2)]
    for number, patent in enumerate(patents, start=1):
        patent.id = number
    return [patent_document(patent) for patent in patents]


@pytest.fixture(scope="module")
def segment(tmp_path_factory):
    """A segment written by Whoosh's own writer, with some of its documents deleted afterwards."""
    ix = index.create_in(tmp_path_factory.mktemp("index"), SCHEMA)
    with ix.writer() as writer:
        for document in documents():
            writer.add_document(**document)
    with ix.writer() as writer:
        for key in DELETED:
            writer.delete_by_term("id", key)
    with ix.reader() as reader:
        assert reader.is_atomic() and reader.doc_count_all() - reader.doc_count() == len(DELETED)
        yield reader


def deleted_docnums(reader) -> set[int]:
    return set(reader.all_doc_ids()) ^ set(range(reader.doc_count_all()))


def test_posting_blocks_are_whooshs_postings_with_the_deleted_documents(segment):
    deleted = deleted_docnums(segment)
    for field, word in (("ab", "lamp"), ("ti", "吸顶灯"), ("ti", "灯罩"), ("id", "42"), ("id", "7")):
        btext = word.encode()
        blocks = list(posting_blocks(segment, field, btext))
        docs = [doc for ids, _ in blocks for doc in ids]
        weights = [weight for _, block_weights in blocks for weight in block_weights]
        public = dict(segment.postings(field, btext).items_as("weight"))  # without the deleted documents
        assert {doc: weight for doc, weight in zip(docs, weights, strict=True) if doc not in deleted} == public, word
        assert docs == sorted(docs) and set(docs) - set(public) <= deleted, word
    assert len(list(posting_blocks(segment, "ab", b"lamp"))) > 1  # blocks of 128 postings
    assert [(list(ids), list(weights)) for ids, weights in posting_blocks(segment, "id", b"7")] == [([6], [1.0])]


def test_posting_positions_are_whooshs_positions(segment):
    for field, word in (("ab", "lamp"), ("cl", "灯体"), ("ti", "灯罩")):
        btext = word.encode()
        live = [(doc, positions) for doc, positions in posting_positions(segment, field, btext)
                if doc not in deleted_docnums(segment)]
        assert live == list(segment.postings(field, btext).items_as("positions")), word


def test_field_lengths_are_what_whooshs_scoring_reads(segment):
    size = segment.doc_count_all()
    for field in ("ti", "ab", "cl", "pa", "in", "ipc"):  # ipc keeps no lengths: zeros
        assert list(field_lengths(segment, field, size)) == [segment.doc_field_length(d, field, 0) or 0
                                                             for d in range(size)], field


def test_numeric_columns_read_at_once_are_whooshs_values(segment):
    size = segment.doc_count_all()
    for field in ("pd", "ad"):
        values = list(numeric_column(segment.column_reader(field, translate=False), size))
        assert values == list(segment.column_reader(field)) and values[-2:] == [0, 0], field


def test_an_index_is_known_by_its_table_of_contents(tmp_path):
    ix = index.create_in(tmp_path, SCHEMA)
    with ix.writer() as writer:
        writer.add_document(**documents()[0])
    files = sorted(path.name for path in tmp_path.iterdir())
    assert [name for name in files if is_table_of_contents(name)] == [f"_MAIN_{ix.latest_generation()}.toc"]
    assert len(files) > 1 and not is_table_of_contents("MAIN_1.toc") and not is_table_of_contents("_MAIN_1.seg")


def test_segment_files_hold_what_whooshs_writer_writes(tmp_path):
    """Two segments written through SegmentFiles from postings gathered by hand read back as Whoosh's writer's."""
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "written").mkdir()
    whoosh_ix, written_ix = index.create_in(tmp_path / "whoosh", SCHEMA), index.create_in(tmp_path / "written", SCHEMA)
    shares = [documents()[:150], documents()[150:]]
    with whoosh_ix.writer() as writer:
        for document in shares[0] + shares[1]:
            writer.add_document(**document)
    writer, files, segments = written_ix.writer(), SegmentFiles(written_ix), []
    for share in shares:
        postings, lengths = {}, {}
        for document in share:
            files.add_document(gathered(files.document_count, document, postings, lengths))
        segments.append(files.finish_segment(postings, lengths))
        files.start_segment()
    files.close()
    writer.commit(mergetype=lambda writer, old: segments)
    with whoosh_ix.reader() as expected, written_ix.reader() as written:
        assert len(written_ix._segments()) == 2 and index_contents(written, blocks=False) == index_contents(
            expected, blocks=False)


def gathered(docnum: int, document: dict, postings: dict, lengths: dict) -> list[tuple[str, object, int]]:
    """A document's fields for SegmentFiles, its postings and lengths added to the segment's."""
    fields = []
    for name in sorted(document):
        field, length = SCHEMA[name], 0
        for btext, frequency, weight, encoded in (field.index(document[name]) if field.indexed else ()):
            postings.setdefault(name, {}).setdefault(btext, []).extend((docnum, weight, encoded or b""))
            length += frequency
        if field.scorable and length:
            lengths.setdefault(name, {})[docnum] = byte_to_length(length_to_byte(length))
        fields.append((name, document[name], length if field.scorable else 0))
    return fields


def test_an_abandoned_segment_leaves_no_file_behind(tmp_path):
    ix = index.create_in(tmp_path, SCHEMA)
    assert [path.name for path in tmp_path.iterdir()] == ["_MAIN_0.toc"]
    writer, files = ix.writer(), SegmentFiles(ix)
    files.add_document([(name, value, 0) for name, value in sorted(documents()[0].items())])
    files.close()
    writer.cancel()
    assert len(list(tmp_path.iterdir())) > 2  # the unfinished segment's files (and the writer's own)
    remove_unlisted_segments(ix)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["MAIN_WRITELOCK", "_MAIN_0.toc"]


# No module but the adapter reads Whoosh's internals ---------------------------------------------------------

def whoosh_private_names() -> set[str]:
    """Every name with one leading underscore that Whoosh's own source defines or reads as an attribute."""
    names = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # Whoosh's old regular expressions ("\w" in plain strings)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


PRIVATE = whoosh_private_names()


def whoosh_internals_read(source: str) -> list[str]:
    """Where `source` reads Whoosh's internals: a private name imported from Whoosh or a module of its codec,
    a private Whoosh name read from any object but a class's own (by attribute or getattr), or from the object
    of a class that extends a Whoosh class. Objects carry no types in source, so a private name of one of our
    own objects that Whoosh also uses counts too, unless read on `self`; none does today."""
    tree, found = ast.parse(source), []
    from_whoosh = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and (node.module or "").split(".")[0] == "whoosh" for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "whoosh":
            found += [f"line {node.lineno}: imports {alias.name} from {node.module}" for alias in node.names
                      if alias.name.startswith("_") or node.module.startswith("whoosh.codec")]
        elif isinstance(node, ast.ClassDef):
            if any(isinstance(base, ast.Name) and base.id in from_whoosh or isinstance(base, ast.Attribute)
                   and ast.unparse(base).split(".")[0] in from_whoosh for base in node.bases):
                found += [f"line {inner.lineno}: {ast.unparse(inner)}" for inner in ast.walk(node)
                          if isinstance(inner, ast.Attribute) and inner.attr in PRIVATE]
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE and not (
                isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("getattr", "hasattr", "setattr") \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value in PRIVATE:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return sorted(set(found))


def test_no_module_but_the_adapter_reads_whoosh_internals():
    modules = sorted(path for path in PACKAGE.rglob("*.py") if path != ADAPTER)
    assert len(modules) > 50 and PACKAGE / "patents" / "matching.py" in modules
    assert {str(path.relative_to(PACKAGE)): reads for path in modules
            if (reads := whoosh_internals_read(path.read_text(encoding="utf-8")))} == {}
    assert whoosh_internals_read(ADAPTER.read_text(encoding="utf-8"))  # it does, so the scan sees such reads


@pytest.mark.parametrize("source", [
    "from whoosh.codec.whoosh3 import _lenfield",
    "from whoosh.codec.whoosh3 import W3LeafMatcher",
    "def lengths(reader):\n    return reader._perdoc",
    "def blocks(matcher):\n    matcher._read_ids()",
    "from whoosh.writing import SegmentWriter\nclass Builder(SegmentWriter):\n    def add(self):\n"
    "        self._added = True",
    "from whoosh import writing\nclass Builder(writing.SegmentWriter):\n    def add(self):\n        self._added = True",
    "def segments(ix):\n    return getattr(ix, '_segments')()",
])
def test_the_scan_finds_each_way_of_reading_whoosh_internals(source):
    assert whoosh_internals_read(source)


def test_the_scan_leaves_a_class_its_own_private_names():
    assert whoosh_internals_read("import threading\nclass Cache:\n    def __init__(self):\n"
                                 "        self._lock = threading.Lock()") == []
