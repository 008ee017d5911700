"""One Whoosh analyzer for Chinese and English in the same field.

Chinese runs are segmented with jieba; when indexing, the dictionary words inside a
long word are added at the same position (吸顶灯 also yields 吸顶, 顶灯), so a query
for a part of a compound finds it while phrases keep working. English is lower-cased,
stop-listed and stemmed.
"""
import logging
import re
from functools import lru_cache

import jieba
from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem

jieba.setLogLevel(logging.WARNING)
_segmenter = jieba.Tokenizer()

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUN = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+(?:[.'][^\W_{CJK}]+)*)")
# Words that carry no meaning in patent text; single characters such as 灯 are kept.
STOP_LIST = STOP_WORDS | frozenset("的 了 和 与 及 或 其 该 之 等 并 所述 一种 及其 其特征在于 特征 在于 包括".split())


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
        position = start_pos
        for match in RUN.finditer(value):
            if match.lastgroup == "word":
                if removestops and match.group().lower() in STOP_LIST:
                    continue  # stop words take no position, so phrases read across them
                yield self._token(token, match.group(), position, start_char + match.start(), keeporiginal,
                                  text=stemmed(match.group()))
                position += 1
                continue
            for word, start, end in _segmenter.tokenize(match.group()):
                if removestops and word in STOP_LIST:
                    continue
                offset = start_char + match.start()
                yield self._token(token, word, position, offset + start, keeporiginal, offset + end)
                if mode == "index":
                    for part in _compound_parts(word):
                        index = word.find(part)
                        yield self._token(token, part, position, offset + start + index, keeporiginal,
                                          offset + start + index + len(part))
                position += 1

    @staticmethod
    def _whole(token, value, start_pos, start_char):
        token.original, token.text = value, stemmed(value)
        token.boost, token.stopped = 1.0, False
        token.pos, token.startchar, token.endchar = start_pos, start_char, start_char + len(value)
        yield token

    @staticmethod
    def _token(token, original, position, start, keeporiginal, end=None, text=None):
        token.text = text or original
        if keeporiginal:
            token.original = original
        token.boost, token.stopped = 1.0, False
        token.pos = position
        token.startchar, token.endchar = start, (end if end is not None else start + len(original))
        return token


@lru_cache(maxsize=100_000)
def stemmed(word: str) -> str:
    """An English word lower-cased and stemmed (lamps, Lamp: lamp). Done here rather than by Whoosh's
    LowercaseFilter and StemFilter: two generators fewer per word is a tenth of the index build."""
    return stem(word.lower())


def patent_text_analyzer():
    return MixedTokenizer()
