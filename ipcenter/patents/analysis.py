"""One Whoosh analyzer for Chinese and English in the same field.

Chinese runs are segmented into jieba's words (by rjieba, the binding of jieba-rs); when indexing,
the dictionary words inside a long word are added at the same position (吸顶灯 also yields 吸顶, 顶灯),
so a query for a part of a compound finds it while phrases keep working. English is lower-cased,
stop-listed and stemmed.
"""
import re
from functools import lru_cache

import rjieba
from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUN = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+(?:[.'][^\W_{CJK}]+)*)")
# Words that carry no meaning in patent text; single characters such as 灯 are kept.
STOP_LIST = STOP_WORDS | frozenset("的 了 和 与 及 或 其 该 之 等 并 所述 一种 及其 其特征在于 特征 在于 包括".split())


# jieba segments characters from CJK Unified Ideographs up to U+9FD5 and leaves every other one alone.
JIEBA_RUN = re.compile("[\u4e00-\u9fd5]+")
JIEBA_PIECE = re.compile("[\u4e00-\u9fd5]+|.", re.DOTALL)


class Segmenter:
    """jieba's accurate mode with its dictionary and its HMM for unknown words, by rjieba (the binding of
    jieba-rs): the same words as jieba (tests/patents/test_analysis.py), many times faster (bench/segmentation.py)."""

    @staticmethod
    def cut(run: str) -> list[str]:
        """The words of a run of Chinese characters."""
        if JIEBA_RUN.fullmatch(run):
            return rjieba.cut(run)
        # jieba-rs segments more of Unicode's ideographs and would join some that jieba leaves alone (鿟㐀)
        return [word for piece in JIEBA_PIECE.findall(run) for word in rjieba.cut(piece)]

    @staticmethod
    def is_word(text: str) -> bool:
        return rjieba.has_word(text)


segmenter = Segmenter()


def _compound_parts(word: str) -> list[str]:
    """The dictionary words of two and three characters inside a longer word (jieba's search mode)."""
    return [word[i:i + n] for n in (2, 3) if len(word) > n
            for i in range(len(word) - n + 1) if segmenter.is_word(word[i:i + n])]


class MixedTokenizer(Tokenizer):
    """Latin words as they are; Chinese runs segmented into jieba's words."""

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
