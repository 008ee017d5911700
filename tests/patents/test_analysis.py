"""The analyzer's own segmentation of Chinese runs gives exactly jieba's words."""
import logging
import random

import jieba
import pytest

from ipcenter.patents.analysis import RUN, MixedTokenizer, segmenter
from ipcenter.patents.demo import _record

jieba.setLogLevel(logging.WARNING)
_segmenter = jieba.Tokenizer()  # jieba itself, with its own dictionary and HMM: the reference


def jieba_words(run: str) -> list[str]:
    return [word for word, _, _ in _segmenter.tokenize(run)]


def chinese_runs(text: str) -> list[str]:
    return [match.group() for match in RUN.finditer(text) if match.lastgroup == "cjk"]


@pytest.fixture(scope="module")
def runs() -> list[str]:
    """Runs of the demonstration patents, dictionary words joined at random, unknown words for the HMM, and
    characters outside jieba's range mixed in."""
    rng = random.Random(2026)
    records = [_record(rng, number) for number in range(300)]
    runs = [run for record in records for text in (record.title, record.abstract, record.claims, record.applicants,
                                                   record.inventors) for run in chinese_runs(text)]
    _segmenter.check_initialized()
    words = sorted(word for word, frequency in _segmenter.FREQ.items() if frequency and RUN.fullmatch(word))
    characters = [word for word in words if len(word) == 1]
    runs += ["".join(rng.choices(words, k=rng.randint(1, 10))) for _ in range(3000)]  # ambiguous joins
    runs += ["".join(rng.choices(characters, k=rng.randint(2, 12))) for _ in range(1000)]  # unknown words: the HMM
    runs += ["㐀灯具", "灯\u9fd6罩\u9fff", "中山市古镇华辉灯饰有限公司", "陈伟华设计的吸顶灯", "灯"]
    # ideographs jieba leaves alone (Extension A, after U+9FD5, compatibility): jieba-rs would join some of them
    outside = [chr(code) for start, end in ((0x3400, 0x3420), (0x9fd6, 0x9fff), (0xf900, 0xf920))
               for code in range(start, end)]
    runs += ["".join(rng.choices(characters + outside, k=rng.randint(2, 12))) for _ in range(3000)]
    runs += ["傦鿟㐀儍囥笛濉瀵轭聩匹抿", "峫舞鿘㐌鞳媁哔呾"]
    return runs


def test_the_segmenter_cuts_every_run_as_jieba_does(runs):
    assert [segmenter.cut(run) for run in runs] == [jieba_words(run) for run in runs]
    assert segmenter.cut("") == []


def search_mode_words(run: str) -> list[str]:
    """The words the index keeps for a run, in the order of jieba's search mode: a word's parts, then the word."""
    at_position: dict[int, list[str]] = {}
    for text, _, position, _, _ in MixedTokenizer.words(run, removestops=False, compounds=True):
        at_position.setdefault(position, []).append(text)
    return [text for word, *parts in at_position.values() for text in (*parts, word)]


def test_the_index_keeps_the_words_of_jiebas_search_mode(runs):
    assert [search_mode_words(run) for run in runs] == [list(_segmenter.cut_for_search(run)) for run in runs]
