"""The analyzer's own segmentation of Chinese runs gives exactly jieba's words."""
import random

from ipcenter.patents.analysis import RUN, _segmenter, segmenter
from ipcenter.patents.demo import _record


def jieba_words(run: str) -> list[str]:
    return [word for word, _, _ in _segmenter.tokenize(run)]


def chinese_runs(text: str) -> list[str]:
    return [match.group() for match in RUN.finditer(text) if match.lastgroup == "cjk"]


def test_the_segmenter_cuts_every_run_as_jieba_does():
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
    assert [segmenter.cut(run) for run in runs] == [jieba_words(run) for run in runs]
    assert segmenter.cut("") == []
