"""The patent searcher's query language, parsed into Whoosh queries.

    lamp shade                      free text over title, abstract and claims (all words)
    ti:吸顶灯  ab:heat  cl:铝合金     title, abstract, claims
    pa:华辉  in:陈伟                 applicant, inventor
    ipc:F21V*  cpc:F21Y2115/10  lc:26-05      classifications (a class finds its subclasses)
    pn:CN305123456  an:202130123456.7          numbers, in any written form
    pd:2021  pd:[20200101 TO 20211231]  ad:[2019 TO *]   publication and filing dates
    AND OR NOT ( )  "lamp shade"  "lamp shade"~3  lamp*

What a Chinese keyboard types (ti：吸顶灯, （…）, “…”, 【…】, full-width letters and digits) reads as
the ASCII it stands for. Our own parser rather than Whoosh's: Whoosh quietly repairs broken queries, a searcher
needs to be told where the mistake is.
"""
import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from whoosh import query as wq

from .analysis import patent_text_analyzer
from .classification import compact_classification, normalise_locarno
from .numbers import normalise_application_number, normalise_publication_number

TEXT_FIELDS = ("ti", "ab", "cl", "pa", "in")
CLASS_FIELDS = ("ipc", "cpc", "lc")
NUMBER_FIELDS = ("pn", "an")
DATE_FIELDS = ("pd", "ad")
FIELDS = TEXT_FIELDS + CLASS_FIELDS + NUMBER_FIELDS + DATE_FIELDS
# Free text searches these fields; a word in the title counts for more (the title weight is tuned on CISI).
FREE_TEXT_FIELDS = (("ti", 3.0), ("ab", 1.0), ("cl", 0.6))
OPERATORS = ("AND", "OR", "NOT")
MAX_QUERY_LENGTH = 4000  # characters: a pasted description for a similar-patent search fits
MAX_DEPTH = 32  # parentheses and NOTs inside each other; deeper is a pasted mistake, and would exhaust the stack
_analyzer = patent_text_analyzer()


class QueryError(ValueError):
    """A malformed query; `position` is the character where the problem is."""

    def __init__(self, message, position: int):
        super().__init__(str(message))
        self.message, self.position = message, position

    def pointer(self, text: str) -> tuple[str, str]:
        """The line of the query `text` with the mistake, and that line up to it (to put a caret under it)."""
        start = text.rfind("\n", 0, self.position) + 1
        end = text.find("\n", self.position)
        line = text[start:end if end >= 0 else len(text)].rstrip("\r")
        return line, line[:self.position - start]


def display_width(text: str) -> int:
    """The columns a terminal gives `text`: two for each East Asian wide or full-width character."""
    return sum(0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
               for char in text)


@dataclass
class Token:
    kind: str  # word, phrase, range, open, close, and, or, not, field
    text: str
    position: int
    slop: int = 0
    field: str | None = None  # for a field prefix token


TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<phrase>"(?P<phrase_text>[^"]*)"(?:~(?P<slop>\d+))?)
  | (?P<unclosed>"[^"]*$)
  | (?P<range>\[(?P<range_text>[^\]]*)\])
  | (?P<unclosed_range>\[[^\]]*$)
  | (?P<unopened_range>\])
  | (?P<field>(?P<field_name>[A-Za-z]+):(?=\S))
  | (?P<word>[^\s()"\[\]]+)
''', re.VERBOSE)


TOKEN_KINDS = ("space", "open", "close", "phrase", "unclosed", "range", "unclosed_range", "unopened_range", "field",
               "word")


# Marks a Chinese input method types for the query language's own, which NFKC leaves as they are.
CHINESE_KEYBOARD = {"“": '"', "”": '"', "【": "[", "】": "]"}


def _typed_as_ascii(char: str) -> str:
    if char in CHINESE_KEYBOARD:
        return CHINESE_KEYBOARD[char]
    folded = unicodedata.normalize("NFKC", char)  # full-width forms: ：（）～＊Ａ１ and the like
    return folded if len(folded) == 1 and folded.isascii() else char


def normalise_query(text: str) -> str:
    """The query with full-width marks, letters and digits as ASCII, character for character: a position
    in the result is a position in what was typed, for pointing at a mistake."""
    return "".join(map(_typed_as_ascii, text))


def tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(text):
        match = TOKEN.match(text, position)
        assert match is not None, "every character begins a token: a word is any run of the others"
        kind = next(kind for kind in TOKEN_KINDS if match.group(kind) is not None)
        if kind == "unclosed":
            raise QueryError(_l("This quotation mark is never closed."), position)
        if kind == "unclosed_range":
            raise QueryError(_l("This range is never closed with “]”."), position)
        if kind == "unopened_range":
            raise QueryError(_l("This “]” has no “[” before it."), position)
        if kind == "phrase":
            tokens.append(Token("phrase", match.group("phrase_text"), position, int(match.group("slop") or 0)))
        elif kind == "range":
            tokens.append(Token("range", match.group("range_text"), position))
        elif kind == "field":
            tokens.append(Token("field", match.group(), position, field=_field_name(match.group("field_name"),
                                                                                    position)))
        elif kind == "word":
            word = match.group()
            if re.fullmatch(r"[A-Za-z]+:", word):
                raise QueryError(_l("“%(prefix)s” needs a value.", prefix=word), position)
            tokens.append(Token(word.lower(), word, position) if word in OPERATORS else Token("word", word, position))
        elif kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    return tokens


def _field_name(name: str, position: int) -> str:
    if name.lower() not in FIELDS:
        raise QueryError(_l("Unknown field “%(name)s:”. The fields are: %(fields)s.", name=name,
                            fields=" ".join(f"{f}:" for f in FIELDS)), position)
    return name.lower()


class Parser:
    """Recursive descent: or := and (OR and)*; and := unary (AND? unary)*; unary := NOT unary | primary."""

    def __init__(self, text: str):
        self.text = normalise_query(text)
        self.tokens = tokenize(self.text)
        self.index = 0
        self.depth = 0

    def parse(self) -> wq.Query:
        if not self.tokens:
            raise QueryError(_l("The query is empty."), 0)
        result = self._or(field=None)
        token = self._peek()
        if token is not None:
            if token.kind == "close":
                raise QueryError(_l("This closing parenthesis has no opening one."), token.position)
            raise QueryError(_l("Unexpected “%(text)s”.", text=token.text), token.position)
        return result

    def _peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _next(self) -> Token:
        """The next token, which the caller has seen is there."""
        token = self._peek()
        assert token is not None, "read past the last token"
        self.index += 1
        return token

    def _or(self, field):
        parts = [self._and(field)]
        while self._peek() is not None and self._peek().kind == "or":
            self._operand_follows(self._next())
            parts.append(self._and(field))
        return _combined(wq.Or, parts)

    def _and(self, field):
        parts = [self._unary(field)]
        while self._peek() is not None and self._peek().kind not in ("or", "close"):
            if self._peek().kind == "and":
                self._operand_follows(self._next())
            parts.append(self._unary(field))
        return _combined(wq.And, parts)

    def _operand_follows(self, operator: Token) -> None:
        following = self._peek()
        if following is None or following.kind in ("and", "or", "close"):
            raise QueryError(_l("“%(operator)s” needs something to search for after it.", operator=operator.text),
                             operator.position)

    def _deeper(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(_l("Parentheses and NOTs go at most %(count)d deep.", count=MAX_DEPTH), token.position)

    def _unary(self, field):
        token = self._peek()
        if token.kind == "not":
            self._operand_follows(self._next())
            self._deeper(token)
            negated = wq.Not(self._unary(field))
            self.depth -= 1
            return negated
        if token.kind in ("and", "or"):
            raise QueryError(_l("“%(operator)s” needs something to search for before it.", operator=token.text),
                             token.position)
        return self._primary(field)

    def _primary(self, field):
        token = self._next()
        if token.kind == "open":
            if self._peek() is None or self._peek().kind == "close":
                raise QueryError(_l("These parentheses are empty."), token.position)
            self._deeper(token)
            inner = self._or(field)
            closing = self._peek()
            if closing is None or closing.kind != "close":
                raise QueryError(_l("This parenthesis is never closed."), token.position)
            self._next()
            self.depth -= 1
            return inner
        if token.kind == "field":
            if field is not None:
                raise QueryError(_l("A field prefix cannot be used inside another field's parentheses."),
                                 token.position)
            if self._peek() is None or self._peek().kind not in ("word", "phrase", "range", "open"):
                raise QueryError(_l("“%(prefix)s” needs a value.", prefix=token.text), token.position)
            return self._primary(token.field)
        if token.kind == "range":
            return term_range(field, token)
        return term_query(field, token)


def _combined(kind, parts: list) -> wq.Query:
    """Stop words (NullQuery) drop out of a combination rather than emptying it."""
    kept = [part for part in parts if part is not wq.NullQuery]
    if not kept:
        return wq.NullQuery
    return kept[0] if len(kept) == 1 else kind(kept)


# Terms -------------------------------------------------------------------------------

def term_query(field: str | None, token: Token) -> wq.Query:
    if field is None:
        return _text_query(FREE_TEXT_FIELDS, token)
    if field in TEXT_FIELDS:
        return _text_query(((field, 1.0),), token)
    if field in DATE_FIELDS:
        first, last = _date_bounds(token.text, token.position)
        return wq.NumericRange(field, first, last)
    return _code_query(field, token)


def _any_field(fields, make) -> wq.Query:
    queries = [make(name, boost) for name, boost in fields]
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _text_query(fields, token: Token) -> wq.Query:
    """A word or phrase in any of `fields` ((name, boost) pairs); a word that splits in several must match all."""
    if token.kind == "word" and ("*" in token.text or "?" in token.text):
        return _any_field(fields, lambda name, boost: _wildcard(name, token.text.lower(), token.position, boost, 2))
    words = [t.text for t in _analyzer(token.text, mode="query")]
    if not words:  # only stop words: matches nothing rather than everything
        return wq.NullQuery
    if token.kind == "phrase" and len(words) > 1:
        return _any_field(fields, lambda name, boost: wq.Phrase(name, words, slop=token.slop + 1, boost=boost))
    each = [_any_field(fields, lambda name, boost, word=word: wq.Term(name, word, boost=boost)) for word in words]
    return each[0] if len(each) == 1 else wq.And(each)


def _wildcard(field: str, pattern: str, position: int, boost: float = 1.0, minimum: int = 1) -> wq.Query:
    stem = re.split(r"[*?]", pattern, maxsplit=1)[0]
    if len(stem) < minimum:
        raise QueryError(_ln("Put at least %(num)d character before a wildcard (“%(word)s”).",
                             "Put at least %(num)d characters before a wildcard (“%(word)s”).", minimum,
                             word=pattern), position)
    if pattern == stem + "*":
        expansion = wq.Prefix(field, stem, boost=boost)
    else:
        expansion = wq.Wildcard(field, pattern, boost=boost)
    expansion.startchar = position  # where to point if it stands for too many words
    return expansion


def _code_query(field: str, token: Token) -> wq.Query:
    """Classifications and numbers: normalised to the indexed form; a trailing * is a prefix search."""
    text = token.text.strip()
    wildcard = text.endswith("*")
    text = text.rstrip("*")
    if "*" in text or "?" in text:
        raise QueryError(_l("In %(field)s: only a trailing * is allowed.", field=f"{field}:"), token.position)
    if field == "lc":
        code = normalise_locarno(text)
    elif field in ("ipc", "cpc"):
        code = compact_classification(text)
    else:
        code = _number(field, text, wildcard)
    if not code:
        raise QueryError(_l("“%(prefix)s” needs a value.", prefix=f"{field}:"), token.position)
    return _wildcard(field, code + "*", token.position) if wildcard else wq.Term(field, code)


def _number(field: str, text: str, wildcard: bool) -> str:
    if wildcard:
        return re.sub(r"[\s.,/\-]", "", text).upper()
    if field == "an":
        return normalise_application_number(text)
    try:
        return normalise_publication_number(text)[0]
    except ValueError:
        return re.sub(r"\s", "", text).upper()


def _date_bounds(text: str, position: int) -> tuple[int, int]:
    """A day, a month or a year, as the first and last day it covers (YYYYMMDD numbers)."""
    digits = re.sub(r"[\-./]", "", text.strip())
    try:
        if re.fullmatch(r"\d{4}", digits):
            year = int(digits)
            first, last = date(year, 1, 1), date(year, 12, 31)
        elif re.fullmatch(r"\d{6}", digits):
            year, month = int(digits[:4]), int(digits[4:])
            first = date(year, month, 1)
            last = date(year, month, calendar.monthrange(year, month)[1])
        elif re.fullmatch(r"\d{8}", digits):
            first = last = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        else:
            raise ValueError
    except ValueError:
        raise QueryError(_l("“%(text)s” is not a date: write YYYY, YYYYMM or YYYYMMDD (e.g. 20210315).",
                            text=text), position) from None
    return int(first.strftime("%Y%m%d")), int(last.strftime("%Y%m%d"))


def term_range(field: str | None, token: Token) -> wq.Query:
    if field not in DATE_FIELDS:
        raise QueryError(_l("Ranges work on dates: write pd:[20200101 TO 20211231] or ad:[…]."), token.position)
    parts = re.split(r"\s+TO\s+", token.text.strip() + " ", maxsplit=1)
    if len(parts) != 2:
        raise QueryError(_l("Write a range as [start TO end], e.g. pd:[20200101 TO 20211231]."), token.position)
    start, end = (part.strip() for part in parts)
    first = None if start in ("", "*") else _date_bounds(start, token.position)[0]
    last = None if end in ("", "*") else _date_bounds(end, token.position)[1]
    if first is None and last is None:
        raise QueryError(_l("Give at least one end of the range."), token.position)
    if first is not None and last is not None and first > last:
        raise QueryError(_l("The range starts after it ends."), token.position)
    return wq.NumericRange(field, first, last)


def parse_query(text: str) -> wq.Query:
    """The Whoosh query for a query string, or QueryError saying where it goes wrong."""
    return Parser(text).parse()
