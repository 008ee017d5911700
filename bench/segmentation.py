"""Benchmark: segmenting Chinese patent text, the copied jieba segmenter against rjieba.

Prints, in one run, over the Chinese runs of N generated patents (titles, abstracts, claims, applicants,
inventors: what the index build segments) and over as many runs of dictionary words joined at random
(a vocabulary as varied as jieba's dictionary):
- the processor seconds each segmenter takes (the best of a few repeats; processor time rather than the clock's,
  so that other work on a shared machine counts less): jieba itself (the reference), the segmenter ipcenter copied
  from jieba (read from git as it was before rjieba replaced it) and rjieba as the analyzer calls it;
- how many times faster rjieba is than each;
and checks that all three cut every run into the same words.

    .venv/bin/python bench/segmentation.py                   # 10,000 patents, best of 3
    .venv/bin/python bench/segmentation.py --records 2000 --repeats 1    # quicker
"""
import argparse
import logging
import random
import subprocess
import sys
import time
import types
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from ipcenter.patents.analysis import RUN, segmenter  # noqa: E402
from ipcenter.patents.demo import _record  # noqa: E402

COPIED_REVISION = "098560c25718c1dbd4cf960aeaba1b883c3f0397"  # the last analysis.py with the copied segmenter


def copied_segmenter():
    """The copied segmenter, from analysis.py at COPIED_REVISION; None outside a git checkout that has it."""
    try:
        source = subprocess.run(["git", "show", f"{COPIED_REVISION}:ipcenter/patents/analysis.py"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("copied_analysis")
    exec(compile(source, "copied_analysis.py", "exec"), module.__dict__)
    return module.segmenter


def patent_runs(count: int) -> list[str]:
    rng = random.Random(26)
    records = (_record(rng, number, date(2026, 1, 1)) for number in range(count))
    return [match.group() for record in records
            for text in (record.title, record.abstract, record.claims, record.applicants, record.inventors)
            for match in RUN.finditer(text) if match.lastgroup == "cjk"]


def varied_runs(count: int, reference: jieba.Tokenizer) -> list[str]:
    rng = random.Random(26)
    words = sorted(word for word, frequency in reference.FREQ.items() if frequency and RUN.fullmatch(word))
    return ["".join(rng.choices(words, k=rng.randint(1, 6))) for _ in range(count)]


def timed(cut, runs: list[str], repeats: int) -> tuple[float, list[list[str]]]:
    cut(runs[0])  # dictionaries loaded before the clock starts
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        words = [cut(run) for run in runs]
        best = min(best, time.process_time() - started)
    return best, words


def bench(name: str, runs: list[str], segmenters: dict, repeats: int) -> None:
    print(f"{name}: {len(runs):,} runs, {sum(map(len, runs)):,} characters")
    timings, reference = {}, None
    for label, cut in segmenters.items():
        timings[label], words = timed(cut, runs, repeats)
        if reference is not None and words != reference:
            raise SystemExit(f"{label} cuts some runs otherwise than jieba")
        reference = reference or words
        print(f"  {label:<18} {timings[label]:7.2f} s of processor time")
    for label, seconds in timings.items():
        if label != "rjieba":
            print(f"  rjieba is {seconds / timings['rjieba']:.1f}x faster than {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.check_initialized()
    segmenters = {"jieba": lambda run: [word for word, _, _ in reference.tokenize(run)]}
    copied = copied_segmenter()
    if copied is None:
        print(f"(the copied segmenter is not timed: no git revision {COPIED_REVISION[:12]} here)")
    else:
        segmenters["copied segmenter"] = copied.cut
    segmenters["rjieba"] = segmenter.cut
    runs = patent_runs(arguments.records)
    bench(f"{arguments.records:,} generated patents", runs, segmenters, arguments.repeats)
    bench("dictionary words joined at random", varied_runs(len(runs), reference), segmenters, arguments.repeats)


if __name__ == "__main__":
    main()
