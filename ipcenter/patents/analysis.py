"""One Whoosh analyzer for Chinese and English in the same field.

Chinese runs are segmented with jieba; when indexing, the dictionary words inside a
long word are added at the same position (吸顶灯 also yields 吸顶, 顶灯), so a query
for a part of a compound finds it while phrases keep working. English is lower-cased,
stop-listed and stemmed.
"""
import logging
import re
from functools import lru_cache
from math import log

import jieba
from jieba import finalseg
from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem

jieba.setLogLevel(logging.WARNING)
_segmenter = jieba.Tokenizer()

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUN = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+(?:[.'][^\W_{CJK}]+)*)")
# Words that carry no meaning in patent text; single characters such as 灯 are kept.
STOP_LIST = STOP_WORDS | frozenset("的 了 和 与 及 或 其 该 之 等 并 所述 一种 及其 其特征在于 特征 在于 包括".split())


# jieba's own dictionary path takes characters from CJK Unified Ideographs up to U+9FD5; others go its slow way.
JIEBA_RUN = re.compile("[\u4e00-\u9fd5]+")


class Segmenter:
    """jieba's accurate mode with its HMM for unknown words, on a run of Chinese characters: the same words,
    found in one pass over the run with each dictionary word's log probability computed once, instead of
    jieba's generators, per-run dictionaries and a logarithm per candidate (a fifth of the index build)."""

    def __init__(self, tokenizer: jieba.Tokenizer):
        self.tokenizer = tokenizer
        self.log_probability: dict[str, float] = {}
        self.frequencies: dict[str, int] | None = None  # jieba's dictionary, loaded on first use

    def _prepare(self) -> None:
        self.tokenizer.check_initialized()
        self.log_total = log(self.tokenizer.total)
        self.frequencies = self.tokenizer.FREQ

    def _word_score(self, word: str) -> float:
        # jieba: log(FREQ.get(word) or 1) - logtotal, evaluated in that order, so the routes tie as jieba's do
        score = self.log_probability.get(word)
        if score is None:
            score = self.log_probability[word] = log(self.frequencies.get(word) or 1) - self.log_total
        return score

    def cut(self, run: str) -> list[str]:
        if not run:
            return []
        if self.frequencies is None:
            self._prepare()
        if not JIEBA_RUN.fullmatch(run):
            return [word for word, _, _ in self.tokenizer.tokenize(run)]
        return self._words_on_route(run, self._route(run))

    def _route(self, run: str) -> list[int]:
        """Where the most probable word starting at each character ends (jieba's get_DAG and calc in one pass)."""
        frequencies, known, score_of = self.frequencies, self.log_probability, self._word_score
        size = len(run)
        scores, ends = [0.0] * (size + 1), [0] * (size + 1)
        for start in range(size - 1, -1, -1):
            best_score, best_end = None, start
            end, fragment = start, run[start]
            while end < size and fragment in frequencies:
                if frequencies[fragment]:
                    score = (known.get(fragment) or score_of(fragment)) + scores[end + 1]
                    if best_score is None or score >= best_score:  # a tie goes to the longer word, as in jieba
                        best_score, best_end = score, end
                end += 1
                fragment = run[start:end + 1]
            if best_score is None:  # no dictionary word starts here: the character alone
                best_score = score_of(run[start]) + scores[start + 1]
            scores[start], ends[start] = best_score, best_end
        return ends

    def _words_on_route(self, run: str, ends: list[int]) -> list[str]:
        """jieba's __cut_DAG: single characters in a row are joined and given to the HMM unless they form a word."""
        words, pending, start, size = [], "", 0, len(run)
        while start < size:
            end = ends[start] + 1
            if end - start == 1:
                pending += run[start]
            else:
                if pending:
                    words += self._unknown_words(pending)
                    pending = ""
                words.append(run[start:end])
            start = end
        if pending:
            words += self._unknown_words(pending)
        return words

    def _unknown_words(self, pending: str) -> list[str]:
        if len(pending) == 1:
            return [pending]
        if not self.frequencies.get(pending):
            return list(finalseg.cut(pending))
        return list(pending)


segmenter = Segmenter(_segmenter)


def _compound_parts(word: str) -> list[str]:
    """The dictionary words of two and three characters inside a longer word (jieba's search mode)."""
    frequencies = _segmenter.FREQ
    return [word[i:i + n] for n in (2, 3) if len(word) > n
            for i in range(len(word) - n + 1) if frequencies.get(word[i:i + n])]


class MixedTokenizer(Tokenizer):
    """Latin words as they are; Chinese runs segmented by jieba."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield from self._whole(token, value, start_pos, start_char)
            return
        for text, original, position, start, end in self.words(value, removestops, mode == "index", start_pos):
            token.text = text
            if keeporiginal:
                token.original = original
            token.boost, token.stopped = 1.0, False
            token.pos, token.startchar, token.endchar = position, start_char + start, start_char + end
            yield token

    @staticmethod
    def words(value: str, removestops: bool = True, compounds: bool = False, start_pos: int = 0):
        """(text, original, position, start, end) of each word; with `compounds`, also the dictionary words
        inside a Chinese word, at its position."""
        position = start_pos
        for match in RUN.finditer(value):
            run = match.group()
            if match.lastgroup == "word":
                if removestops and run.lower() in STOP_LIST:
                    continue  # stop words take no position, so phrases read across them
                yield stemmed(run), run, position, match.start(), match.end()
                position += 1
                continue
            start = match.start()
            for word in segmenter.cut(run):
                end = start + len(word)
                if removestops and word in STOP_LIST:
                    start = end
                    continue
                yield word, word, position, start, end
                if compounds:
                    for part in _compound_parts(word):
                        begin = start + word.find(part)
                        yield part, part, position, begin, begin + len(part)
                position += 1
                start = end

    def word_positions(self, value: str) -> dict[str, list[int]]:
        """Each word the index keeps for `value`, with its positions: what Whoosh's Positions format gathers
        from the tokens, without a token object per word (the rebuild's analysis)."""
        found: dict[str, list[int]] = {}
        for text, _, position, _, _ in self.words(value, compounds=True):
            positions = found.get(text)
            if positions is None:
                found[text] = [position]
            else:
                positions.append(position)
        return found

    @staticmethod
    def _whole(token, value, start_pos, start_char):
        token.original, token.text = value, stemmed(value)
        token.boost, token.stopped = 1.0, False
        token.pos, token.startchar, token.endchar = start_pos, start_char, start_char + len(value)
        yield token


@lru_cache(maxsize=100_000)
def stemmed(word: str) -> str:
    """An English word lower-cased and stemmed (lamps, Lamp: lamp). Done here rather than by Whoosh's
    LowercaseFilter and StemFilter: two generators fewer per word is a tenth of the index build."""
    return stem(word.lower())


def patent_text_analyzer():
    return MixedTokenizer()
