"""Benchmark: memory while importing a multi-gigabyte USPTO weekly bulk file.

Writes a bulk file of the given size (default 2 GB) in a scratch folder: the real v4.x grant and
application samples from ../shared/data/uspto-samples/, each copy under a publication number of its
own, one XML declaration per document as in the weekly files. Then imports it as `flask patents
import` does (the database in batches, the index updated once at the end) and prints the resident
memory at every tenth of the file, the peak of each phase and the rates.

    .venv/bin/python bench/import_memory.py                 # 2 GB
    .venv/bin/python bench/import_memory.py --gigabytes 0.2 # quicker
"""
import argparse
import itertools
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ipcenter import create_app  # noqa: E402
from ipcenter.config import TestConfig  # noqa: E402
from ipcenter.extensions import db  # noqa: E402
from ipcenter.patents.importers import import_patents  # noqa: E402
from ipcenter.patents.index import index_sync_deferred, pending_count, sync_index  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "uspto-samples"
V4_FOLDERS = ("xml2004", "xml2006", "xml2014", "xmlApp2004")
PUBLICATION_NUMBER = re.compile(rb"(<publication-reference>\s*<document-id>\s*<country>US</country>\s*<doc-number>)"
                                rb"[^<]+(</doc-number>)")


def resident_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20


def write_bulk_file(path: Path, size: int) -> int:
    """Copies of the samples, numbered apart, until the file holds `size` bytes; returns how many documents."""
    samples = [sample.read_bytes() for folder in V4_FOLDERS for sample in sorted((SAMPLES / folder).glob("*.xml"))]
    written = 0
    with path.open("wb") as bulk:
        for count, sample in enumerate(itertools.cycle(samples), start=1):
            number = f"2099{count:07d}" if b"<us-patent-application" in sample[:2000] else f"{90_000_000 + count}"
            document, found = PUBLICATION_NUMBER.subn(rb"\g<1>" + number.encode() + rb"\g<2>", sample, count=1)
            assert found == 1, "a sample without a publication number"
            bulk.write(document.rstrip() + b"\n")
            written += len(document)
            if written >= size:
                return count


class PeakSampler(threading.Thread):
    """The highest resident memory seen while a phase runs, sampled every 50 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running = resident_mb(), True

    def run(self):
        while self.running:
            self.peak = max(self.peak, resident_mb())
            time.sleep(0.05)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ipcenter-import-bench-"))
    try:
        bulk = folder / "ipg-bulk.xml"
        documents = write_bulk_file(bulk, int(arguments.gigabytes * 1e9))
        size = bulk.stat().st_size
        print(f"bulk file: {size / 1e9:.2f} GB, {documents:,} documents")
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'bench.sqlite3'}",
                         INDEX_FOLDER=folder / "index")
        with app.app_context():
            db.create_all()
            run_import(bulk, size)
    finally:
        shutil.rmtree(folder)


def run_import(bulk: Path, size: int) -> None:
    marks, next_mark = [], 0.1

    def progress(consumed: int) -> None:
        nonlocal next_mark
        if consumed >= next_mark * size:
            marks.append((consumed, resident_mb()))
            next_mark += 0.1
    before = resident_mb()
    sampler = PeakSampler()
    sampler.start()
    started = time.perf_counter()
    with index_sync_deferred():
        summary = import_patents(bulk, "uspto", progress)
    elapsed = time.perf_counter() - started
    import_peak = sampler.stop()
    print(f"import: added {summary.added:,}, errors {len(summary.errors)}, {elapsed:.0f} s, "
          f"{size / 1e6 / elapsed:.1f} MB/s, {summary.added / elapsed:,.0f} documents/s")
    print(f"resident memory before the import: {before:,.0f} MB")
    for consumed, resident in marks:
        print(f"  after {consumed / 1e9:5.2f} GB read: {resident:,.0f} MB")
    print(f"peak while importing: {import_peak:,.0f} MB; from the first tenth to the end: "
          f"{marks[-1][1] - marks[0][1]:+,.0f} MB")
    queued, sampler = pending_count(), PeakSampler()
    sampler.start()
    started = time.perf_counter()
    sync_index()
    elapsed = time.perf_counter() - started
    print(f"index update after the import: {queued:,} documents in {elapsed:.0f} s ({queued / elapsed:,.0f}/s), "
          f"peak {sampler.stop():,.0f} MB")


if __name__ == "__main__":
    main()
