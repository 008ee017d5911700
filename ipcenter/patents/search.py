"""Searching the collection: the query language, similar-patent search, facets, highlights.

Every search, for every caller (pages, exports, the CLI), shows only what the permission layer lets the user see
(patent.every_record, patent.view): center staff see every record; anybody else sees published records and the
unpublished ones of their own organisation.
"""
import math
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_ngettext as _ln
from markupsafe import Markup
from sqlalchemy import select
from whoosh import highlight
from whoosh import query as wq

from ..accounts.models import Role
from ..extensions import db
from ..permissions import can
from .analysis import patent_text_analyzer
from .index import current_searcher
from .matching import Statistics, TooBroad, match
from .models import Patent
from .query import FREE_TEXT_FIELDS, QueryError, parse_query
from .ranking import RANKING, Ranking, query_words, with_feedback, with_nearness

FACET_FIELDS = ("type", "year", "applicant", "cls")
FACET_SIZES = {"type": None, "year": None, "applicant": 10, "cls": 12}
SIMILAR_TERMS = 80  # the most telling words of a description that are searched (tuned on CISI)
# A similar-patent search shows the closest records only: nearly every record shares some word with a
# description, and one scoring under a fifth of the closest shares little more than that.
CLOSEST, CLOSEST_SHARE = 50, 0.2
MAX_PAGE = 500
_analyzer = patent_text_analyzer()


@dataclass
class Hit:
    patent: Patent
    score: float
    highlights: dict[str, Markup]


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    closest: bool = False  # the closest records to a description, not every match

    @property
    def pages(self) -> int:
        return min(max(1, math.ceil(self.total / self.per_page)), MAX_PAGE)

    # The interface of the shared pagination macro.
    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


# The viewer for the command line: an operator of the center sees every record.
ALL_RECORDS = object()


@dataclass(frozen=True)
class OrganisationMembers:
    """A viewer standing for an organisation's own users: what a case's enterprise may see of the collection.
    The permission layer answers for it as for any of them."""

    organisation_id: int | None
    role = Role.ENTERPRISE
    is_authenticated = is_active = True


def visibility_filter(user) -> wq.Query | None:
    """None for whoever sees every record; otherwise published records and the user's own organisation's
    (the permission layer's patent.every_record and patent.view).

    `user` is a User, ALL_RECORDS or OrganisationMembers."""
    if user is ALL_RECORDS or can(user, "patent.every_record"):
        return None
    visible = [wq.Term("visible", "public")]
    if user is not None and getattr(user, "organisation_id", None):
        visible.append(wq.Term("visible", f"org:{user.organisation_id}"))
    return wq.Or(visible)


def _narrowed(user, chosen: dict[str, list[str]]) -> wq.Query | None:
    parts = [wq.Term(name, value) for name in FACET_FIELDS for value in chosen.get(name, [])]
    visible = visibility_filter(user)
    if visible is not None:
        parts.append(visible)
    return wq.And(parts) if parts else None


def search_by_mode(user, mode: str, text: str, **options) -> SearchResults:
    """A search as the search form's mode names it: the query language, or similarity to a description."""
    find = similar_patents if mode == "similar" else search_patents
    return find(user, text, **options)


def search_patents(user, text: str, **options) -> SearchResults:
    """Run a query-language search (QueryError if it is malformed)."""
    return run_query(user, parse_query(text), **options)


def similar_patents(user, description: str, *, exclude: int | None = None, **options) -> SearchResults:
    """The patents closest to a description: its most telling words, weighted, in any text field."""
    query = similarity_query(Statistics(current_searcher(), visibility_filter(user)), description)
    mask = wq.Term("id", str(exclude)) if exclude is not None else None
    return run_query(user, query, mask=mask, closest=True, **options)


def similarity_query(statistics: Statistics, description: str, terms: int = SIMILAR_TERMS) -> wq.Query:
    counts = Counter(token.text for token in _analyzer(description, mode="query"))
    weights = {}
    for word, count in counts.items():
        frequency = max(statistics.frequency(name, word.encode("utf-8")) for name, _ in FREE_TEXT_FIELDS)
        if frequency:
            weights[word] = (1 + math.log(count)) * math.log(
                1 + (statistics.documents - frequency + 0.5) / (frequency + 0.5))
    chosen = sorted(weights.items(), key=lambda item: -item[1])[:terms]
    if not chosen:
        return wq.NullQuery
    top = chosen[0][1]
    return wq.Or([wq.Term(name, word, boost=boost * weight / top)
                  for word, weight in chosen for name, boost in FREE_TEXT_FIELDS])


def more_like(user, patent: Patent, **options) -> SearchResults:
    """Patents like this one, found from its title, abstract and first claims."""
    return similar_patents(user, patent_text(patent), exclude=patent.id, **options)


def patent_text(patent: Patent) -> str:
    """What a patent says, as far as finding others like it goes: its title, abstract and first claims."""
    return " ".join([patent.title, patent.abstract or "", (patent.claims or "")[:2000]])


def run_query(user, query: wq.Query, *, sort: str = "relevance", chosen: dict | None = None, page: int = 1,
              per_page: int = 20, facets: bool = True, mask: wq.Query | None = None,
              closest: bool = False, ranking: Ranking = RANKING, highlight: bool = True) -> SearchResults:
    """`closest`: the best matches of a similarity query, not every match; `ranking`: how matches are ordered;
    `highlight`: whether hits carry their highlighted snippets (a page shows them, an export does not)."""
    chosen = chosen or {}
    page = min(max(page, 1), MAX_PAGE)
    searcher = current_searcher()
    statistics = Statistics(searcher, visibility_filter(user))  # what a viewer may not see weighs nothing
    try:
        matches = match(searcher, query, restrict=_narrowed(user, chosen), exclude=mask, statistics=statistics)
    except TooBroad as error:
        raise QueryError(_ln("“%(word)s” stands for more than %(num)d word: give more of the word.",
                             "“%(word)s” stands for more than %(num)d words: give more of the word.", error.limit,
                             word=_pattern(error.query)),
                         getattr(error.query, "startchar", None) or 0) from None
    loaded: dict[int, Patent] = {}
    if closest or sort == "relevance":  # the closest records are the same in every order
        matches = _ranked(searcher, statistics, query, matches, closest, ranking, loaded)
    if closest:
        matches = matches.closest(CLOSEST, CLOSEST_SHARE)
    page_hits = matches.top(page * per_page, sort)[(page - 1) * per_page:]
    patents = _patents_at(searcher, [docnum for docnum, _ in page_hits], loaded)
    hits = [Hit(patent, score, _highlights(matches.matched_terms, patent) if highlight else {})
            for patent, (_, score) in zip(patents, page_hits, strict=True) if patent]
    return SearchResults(total=matches.total, hits=hits, facets=_facets(matches, chosen) if facets else {},
                         page=page, per_page=per_page, closest=closest)


def _ranked(searcher, statistics: Statistics, query: wq.Query, matches, closest: bool, ranking: Ranking,
            loaded: dict[int, Patent]):
    """Matches in their final order: query words near each other lift a record, then feedback from the best.
    A similarity query lists a description's words by weight, not as written: nearness is for the query language."""
    if not closest:
        matches = with_nearness(statistics, matches, query_words(query), ranking)

    def read(docnums: list[int]) -> list[str]:
        return [patent_text(patent) if patent else "" for patent in _patents_at(searcher, docnums, loaded)]
    return with_feedback(statistics, matches, query, read, ranking)


def _patents_at(searcher, docnums: list[int], loaded: dict[int, Patent]) -> list[Patent | None]:
    """The patents of these index documents, in their order; None for one deleted since the searcher opened.
    `loaded` keeps those read already in this search (feedback reads the best matches), to read them once."""
    ids = [int(searcher.stored_fields(docnum)["id"]) for docnum in docnums]
    loaded.update(patents_by_id([pid for pid in ids if pid not in loaded]))
    return [loaded.get(pid) for pid in ids]


def patents_by_id(ids: list[int]) -> dict[int, Patent]:
    """The records with these ids, in one query (none for no ids)."""
    return {p.id: p for p in db.session.scalars(select(Patent).where(Patent.id.in_(ids)))} if ids else {}


def _pattern(expansion: wq.Query) -> str:
    return expansion.text + "*" if isinstance(expansion, wq.Prefix) else expansion.text


class SnippetFragmenter(highlight.ContextFragmenter):
    """Whoosh's context fragments, with the marks that close or open around their first and last words:
    Whoosh ends a fragment at its last word, which cut the closing bracket off 一种LED吸顶灯（带遥控）."""

    def fragment_tokens(self, text, tokens):
        for fragment in super().fragment_tokens(text, tokens):
            while fragment.endchar < len(text) and _is_mark(text[fragment.endchar]):
                fragment.endchar += 1
            while fragment.startchar > 0 and _is_mark(text[fragment.startchar - 1]):
                fragment.startchar -= 1
            yield fragment


def _is_mark(char: str) -> bool:
    return not (char.isalnum() or char.isspace())


# A title is shown whole; abstracts and claims as snippets around their matches.
FRAGMENTERS = {"ti": highlight.WholeFragmenter(), "ab": SnippetFragmenter(maxchars=160, surround=40)}
FORMATTER = highlight.HtmlFormatter(tagname="mark", between=" … ")
HIGHLIGHT_CHARS = 4000  # snippets come from the start of a long text: analysing all of it costs more than it shows


def _highlights(matched_terms: dict[str, set[str]], patent: Patent) -> dict[str, Markup]:
    """The title highlighted, and one snippet: from the abstract, or from the claims when the abstract has none."""
    found = {}
    for name, text in (("ti", patent.title), ("ab", patent.abstract), ("cl", patent.claims)):
        if text and matched_terms.get(name) and not (name == "cl" and "ab" in found):
            fragment = highlight.highlight(text[:HIGHLIGHT_CHARS], matched_terms[name], _analyzer,
                                           FRAGMENTERS.get(name, FRAGMENTERS["ab"]), FORMATTER, top=2, mode="index")
            if fragment:
                found[name] = Markup(fragment)
    return found


def _facets(matches, chosen: dict) -> dict[str, list[FacetValue]]:
    facets = {}
    for name in FACET_FIELDS:
        counts = matches.facet_counts(name)
        ordered = sorted(counts.items(), key=lambda item: (-int(item[0]), 0) if name == "year" else (-item[1], item[0]))
        size = FACET_SIZES[name]
        facets[name] = [FacetValue(value, count, value in chosen.get(name, [])) for value, count in
                        (ordered[:size] if size else ordered)]
    return facets
