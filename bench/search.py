"""Benchmark: the patent index at scale, against SQLite FTS5, and ranking quality on CISI.

Prints, in one run:
- index build rate (documents per second) over N generated records (default 200,000),
  with the rebuild's two writer processes;
- p50/p95 latency of a fixed mix of fielded/boolean queries, as the results page runs them
  (20 hits with highlights, all four facets counted), and of similar-patent queries; each query's
  own figures, the first (cold) run of each, and the memory the posting cache holds;
- the same query mix on SQLite FTS5 (trigram tokenizer, bm25 rank, top 20 and the count) over the same records;
- nDCG@10 and MAP on CISI (76 judged queries) for the query language (the query's words
  joined by OR) and for similar-patent search (the query text pasted as a description).

    .venv/bin/python bench/search.py                    # everything, 200,000 records
    .venv/bin/python bench/search.py --records 20000    # quicker
    .venv/bin/python bench/search.py --cisi-only
    .venv/bin/python bench/search.py --build-only --records 40000

Records mix the demo generator's Chinese/English lighting patents with English sentences
drawn from the CISI abstracts, so the vocabulary is that of real text, not of a template.
"""
import argparse
import math
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from ipcenter import create_app  # noqa: E402
from ipcenter.config import TestConfig  # noqa: E402
from ipcenter.extensions import db  # noqa: E402
from ipcenter.patents.demo import _record  # noqa: E402
from ipcenter.patents.matching import POSTINGS  # noqa: E402
from ipcenter.patents.models import Patent  # noqa: E402
from ipcenter.patents.ranking import RANKING, Ranking  # noqa: E402
from ipcenter.patents.rebuild import rebuild_index  # noqa: E402
from ipcenter.patents.search import ALL_RECORDS, search_patents, similar_patents  # noqa: E402

CISI = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cisi"
BASELINE = Ranking(feedback_records=0, nearness_weight=0)  # the ranking before issue #12: BM25F alone
COLUMNS = ("country", "publication_number", "kind_code", "patent_type", "application_number", "filing_date",
           "publication_date", "grant_date", "title", "abstract", "claims", "applicants", "inventors", "ipc", "cpc",
           "locarno", "legal_status", "is_demo")
# (query language, FTS5 MATCH, extra SQL condition) — the same question in both.
QUERY_MIX = [
    ("吸顶灯", '"吸顶灯"', ""),
    ("ceiling lamp", "ceiling AND lamp", ""),
    ("ti:吸顶灯 AND pd:2021", 'ti:"吸顶灯"', "publication_date BETWEEN '2021-01-01' AND '2021-12-31'"),
    ("ipc:F21V*", None, "ipc LIKE 'F21V%' OR ipc LIKE '%; F21V%'"),
    ("lc:26-05 AND 智能", '"智能"', "locarno = '26-05'"),
    ("pa:华辉 NOT 吊灯", 'pa:"华辉" NOT "吊灯"', ""),
    ('"lamp body"~2 AND heat', 'NEAR(lamp body, 2) AND heat', ""),
    ("(waterproof OR dimmable) AND pd:[20180101 TO 20201231]", "waterproof OR dimmable",
     "publication_date BETWEEN '2018-01-01' AND '2020-12-31'"),
    ("librar* AND information", '"librar" AND information', ""),
    ("retrieval AND (catalog OR index) NOT ti:灯罩", "retrieval AND (catalog OR index) NOT ti:灯罩", ""),
    ("pn:CN301000123", None, "publication_number = 'CN301000123'"),
    ("an:2019*", None, "application_number LIKE 'CN2019%'"),
    ("ad:[2016 TO 2017] AND 路灯", '"路灯"', "filing_date BETWEEN '2016-01-01' AND '2017-12-31'"),
    ("in:陈伟 AND 筒灯", 'in:"陈伟" AND "筒灯"', ""),
    ('"scientific journals"', '"scientific journals"', ""),
    ("classification AND (dewey OR subject) AND lamp", "classification AND (dewey OR subject) AND lamp", ""),
]
SIMILAR_DESCRIPTIONS = [
    "我们设计了一款超薄的LED吸顶灯，灯体采用铝合金压铸，内置光源模组和恒流驱动电源，散热好，可遥控调光调色。",
    "A waterproof solar street lamp: a solar panel charges a battery during the day and a motion sensor switches "
    "the LED module on at night; the housing is die-cast aluminium.",
    "一种水晶吊灯，多个灯臂呈放射状分布，每个灯臂末端设有灯头和水晶装饰，吊杆长度可以调节。",
    "The study describes how libraries index and retrieve scientific journals, comparing subject classification "
    "with keyword indexing for information retrieval.",
    "防眩光筒灯，反光杯和格栅组合减少眩光，适合商业照明；灯体嵌入安装，接线方便。",
    "A desk lamp with an adjustable arm and a dimmable LED head; the base holds the driver and a touch switch.",
]


def cisi_records(name: str) -> list[dict]:
    records, current, field = [], None, None
    for line in (CISI / name).read_text(encoding="latin-1").splitlines():
        marker = re.match(r"^\.([ITAWXB])\s*(\d*)", line)
        if marker:
            if marker.group(1) == "I":
                current = {"id": int(marker.group(2)), "T": "", "A": "", "W": ""}
                records.append(current)
            field = marker.group(1)
            continue
        if current is not None and field in ("T", "A", "W"):
            current[field] += line.strip() + " "
    return records


def generated_records(count: int) -> list[dict]:
    rng = random.Random(2026)
    sentences = [s.strip() for doc in cisi_records("CISI.ALL") for s in re.split(r"(?<=\.)\s+", doc["W"])
                 if len(s.split()) > 5]
    rows = []
    for index in range(count):
        patent = _record(rng, index)
        row = {name: getattr(patent, name) for name in COLUMNS}
        row["abstract"] += " " + " ".join(rng.sample(sentences, 2))
        if row["claims"]:
            row["claims"] += "\n3. " + rng.choice(sentences)
        rows.append(row)
    return rows


def percentiles(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)]
    return f"p50 {statistics.median(timings) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def resident_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20


def timed(function, repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return timings


def bench_scale(folder: Path, count: int, repeats: int, build_only: bool = False) -> None:
    folder.mkdir()
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'bench.sqlite3'}",
                     INDEX_FOLDER=folder / "index")
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        rows = generated_records(count)
        for start in range(0, count, 10_000):
            db.session.execute(insert(Patent), rows[start:start + 10_000])
        db.session.commit()
        print(f"{count} records generated and stored in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        rebuild_index(processes=2)
        elapsed = time.perf_counter() - started
        print(f"index build (2 processes): {count / elapsed:,.0f} documents/s ({elapsed:.0f} s); largest writer "
              f"process {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MB resident")
        if build_only:
            return

        before = resident_mb()
        cold = [timed(lambda: search_patents(ALL_RECORDS, query), 1)[0] for query, *_ in QUERY_MIX]
        print(f"fielded/boolean mix, first run of each query (cold caches):       {percentiles(cold)}")
        mix, bare = [], []
        for query, *_ in QUERY_MIX:
            with_facets = timed(lambda: search_patents(ALL_RECORDS, query), repeats)
            without = timed(lambda: search_patents(ALL_RECORDS, query, facets=False), repeats)
            total = search_patents(ALL_RECORDS, query, facets=False).total
            print(f"  {query:<56} {total:>7} found   {percentiles(with_facets)}")
            mix += with_facets
            bare += without
        print(f"fielded/boolean mix, results page (20 hits, highlights, facets): {percentiles(mix)}")
        print(f"fielded/boolean mix, 20 hits with highlights, no facets:          {percentiles(bare)}")
        plain = [timing for query, *_ in QUERY_MIX
                 for timing in timed(lambda: search_patents(ALL_RECORDS, query, ranking=BASELINE), repeats)]
        print(f"the same results pages ranked as before #12 (BM25F alone):        {percentiles(plain)}")
        similar = []
        for description in SIMILAR_DESCRIPTIONS:
            similar_patents(ALL_RECORDS, description, facets=False)
            timings = timed(lambda: similar_patents(ALL_RECORDS, description, facets=False), repeats)
            print(f"  {description[:40]:<56}   {percentiles(timings)}")
            similar += timings
        print(f"similar-patent search (20 hits, highlights):                      {percentiles(similar)}")
        plain = [timing for description in SIMILAR_DESCRIPTIONS for timing in timed(
            lambda: similar_patents(ALL_RECORDS, description, facets=False, ranking=BASELINE), repeats)]
        print(f"similar-patent search ranked as before #12 (BM25F alone):         {percentiles(plain)}")
        print(f"posting cache after the searches: {POSTINGS.held:,} entries; the process grew by "
              f"{resident_mb() - before:,.0f} MB while searching")
        bench_fts5(folder / "bench.sqlite3", repeats)


def bench_fts5(path: Path, repeats: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE IF EXISTS patents_fts")
    started = time.perf_counter()
    connection.execute("CREATE VIRTUAL TABLE patents_fts USING fts5(ti, ab, cl, pa, \"in\", content='patents', "
                       "content_rowid='id', tokenize='trigram')")
    connection.execute("INSERT INTO patents_fts(rowid, ti, ab, cl, pa, \"in\") SELECT id, title, abstract, claims, "
                       "applicants, inventors FROM patents")
    connection.commit()
    elapsed = time.perf_counter() - started
    count = connection.execute("SELECT count(*) FROM patents").fetchone()[0]
    print(f"SQLite FTS5 (trigram) build: {count / elapsed:,.0f} documents/s ({elapsed:.0f} s)")
    timings = []
    for query, match, condition in QUERY_MIX:
        if match:
            where = "patents_fts MATCH ?" + (f" AND ({condition})" if condition else "")
            sql = (f"SELECT patents.id, patents.title FROM patents_fts JOIN patents ON patents.id = patents_fts.rowid "
                   f"WHERE {where}")
            params = (match,)
        else:
            sql, params = f"SELECT id, title FROM patents WHERE {condition}", ()
        ranked = sql + (" ORDER BY bm25(patents_fts)" if match else "") + " LIMIT 20"
        counted = f"SELECT count(*) FROM ({sql})"

        def run():
            connection.execute(ranked, params).fetchall()
            connection.execute(counted, params).fetchone()
        run()
        query_timings = timed(run, repeats)
        total = connection.execute(counted, params).fetchone()[0]
        print(f"  {query:<56} {total:>7} found   {percentiles(query_timings)}")
        timings += query_timings
    print(f"SQLite FTS5, same mix (top 20 by bm25 and the count):             {percentiles(timings)}")


def ndcg_at_10(ranking: list[int], relevant: set[int]) -> float:
    gain = sum(1 / math.log2(rank + 2) for rank, doc in enumerate(ranking[:10]) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(10, len(relevant))))
    return gain / ideal


def average_precision(ranking: list[int], relevant: set[int]) -> float:
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def cisi_halves() -> tuple[dict[int, set[int]], dict[int, str], dict[int, str]]:
    """The judgments, and the judged queries split once for all: odd ids to tune on, even ids held out
    (39 and 37 queries). Every ranking parameter is chosen on the first half; the second is only reported."""
    judged: dict[int, set[int]] = {}
    for line in (CISI / "CISI.REL").read_text().splitlines():
        query_id, doc_id = (int(value) for value in line.split()[:2])
        judged.setdefault(query_id, set()).add(doc_id)
    queries = {q["id"]: q["W"] for q in cisi_records("CISI.QRY") if q["id"] in judged}
    return (judged, {qid: text for qid, text in queries.items() if qid % 2},
            {qid: text for qid, text in queries.items() if not qid % 2})


# How the collection is searched: the query language (the query's words joined by OR) and similar-patent
# search (the query text pasted as a description).
CISI_SEARCHES = {
    "query language": lambda text, ranking: search_patents(
        ALL_RECORDS, " OR ".join(re.findall(r"[A-Za-z]{2,}", text)), per_page=1000, facets=False, ranking=ranking),
    "similar-patent": lambda text, ranking: similar_patents(ALL_RECORDS, text, per_page=1000, facets=False,
                                                            ranking=ranking),
}


def cisi_figures(search, ranking: Ranking, queries: dict[int, str], judged: dict[int, set[int]]) -> str:
    ndcg, ap = [], []
    for query_id, text in queries.items():
        ranked = [hit.patent.id for hit in search(text, ranking).hits]
        ndcg.append(ndcg_at_10(ranked, judged[query_id]))
        ap.append(average_precision(ranked, judged[query_id]))
    return f"nDCG@10 {statistics.mean(ndcg):.4f}  MAP {statistics.mean(ap):.4f}"


def cisi_collection(folder: Path):
    """An app over CISI's documents, indexed; None without the data."""
    if not CISI.exists():
        print(f"CISI: {CISI} is absent; skipped")
        return None
    folder.mkdir()
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'cisi.sqlite3'}",
                     INDEX_FOLDER=folder / "index")
    with app.app_context():
        db.create_all()
        db.session.execute(insert(Patent), [
            dict(id=doc["id"], country="XX", publication_number=f"CISI{doc['id']}", patent_type="invention",
                 title=doc["T"].strip(), abstract=doc["W"].strip(), claims="", applicants="", inventors=doc["A"],
                 ipc="", cpc="", locarno="", legal_status="", is_demo=False) for doc in cisi_records("CISI.ALL")])
        db.session.commit()
        rebuild_index(processes=1)
    return app


def bench_cisi(folder: Path) -> None:
    """Both halves, for today's ranking (before issue #12) and this one, in one run."""
    app = cisi_collection(folder)
    if app is None:
        return
    judged, tuning, held_out = cisi_halves()
    print(f"CISI, {len(tuning)} tuning queries (odd ids) and {len(held_out)} held out (even ids):")
    with app.app_context():
        for label, search in CISI_SEARCHES.items():
            for name, ranking in (("before #12", BASELINE), ("now", RANKING)):
                print(f"  {label:<15} {name:<11} tuning {cisi_figures(search, ranking, tuning, judged)}   "
                      f"held out {cisi_figures(search, ranking, held_out, judged)}")


def tune_cisi(folder: Path) -> None:
    """The coarse grid the ranking's parameters were chosen from, on the tuning half only (the best nDCG@10):
    the original query's share in the feedback blend (or no feedback), with nearness for the query language."""
    app = cisi_collection(folder)
    if app is None:
        return
    judged, tuning, _ = cisi_halves()
    shares = [("no feedback", dict(feedback_records=0))] + [
        (f"share {share}", dict(original_share=share)) for share in (0.3, 0.5, 0.7)]
    grids = {"query language": [(f"{name}, nearness {weight}", replace(RANKING, nearness_weight=weight, **values))
                                for name, values in shares for weight in (0, 0.25, 0.5, 1)],
             "similar-patent": [(name, replace(RANKING, **values)) for name, values in shares]}
    with app.app_context():
        for label, search in CISI_SEARCHES.items():
            for name, ranking in grids[label]:
                print(f"  {label:<15} {name:<26} tuning {cisi_figures(search, ranking, tuning, judged)}", flush=True)


def main() -> None:
    global CISI  # --cisi names another folder
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--cisi-only", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="only the index build rate")
    parser.add_argument("--tune", action="store_true", help="only the grid the ranking was chosen from (CISI)")
    parser.add_argument("--cisi", type=Path, default=CISI, help="the CISI folder (default: ../shared/data/cisi)")
    arguments = parser.parse_args()
    CISI = arguments.cisi
    with tempfile.TemporaryDirectory(prefix="ipcenter-search-bench-") as scratch:  # removed at the end
        if arguments.tune:
            tune_cisi(Path(scratch) / "cisi")
            return
        if not arguments.cisi_only:
            bench_scale(Path(scratch) / "scale", arguments.records, arguments.repeats, arguments.build_only)
        if not arguments.build_only:
            bench_cisi(Path(scratch) / "cisi")


if __name__ == "__main__":
    main()
