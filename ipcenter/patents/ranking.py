"""The order of matches beyond each word's own BM25F score: the nearness of query words and
pseudo-relevance feedback.

Ranking is judged on collections we do not have, so only methods known to carry from one
collection to another are used, with few parameters, chosen on one half of CISI's judged
queries (odd ids) and reported on the other (`bench/search.py --cisi-only`; `--tune` prints the
grid they were chosen from):

- Nearness (BM25TP, Rasolofo and Savoy 2003): query words close to each other in a record,
  each pair weighed by 1/distance and saturated like a word's frequency, lift that record.
  Only the best matches are re-read for positions, so the cost does not grow with the collection.
- Feedback (RM3, Abdul-Jaleel et al. 2004): the words of the best first-pass matches, weighed by
  how well each matched, stand for what the searcher wants; the query is blended with them over
  the best thousand matches (as search engines rerank), so the cost does not grow with the collection.

Both only reorder a search's matches: none is added or dropped.
"""
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from whoosh import query as wq

from .analysis import patent_text_analyzer
from .matching import POSTINGS, Matches, Statistics, length_norm, saturated
from .query import FREE_TEXT_FIELDS, TEXT_FIELDS

_analyzer = patent_text_analyzer()


@dataclass(frozen=True)
class Ranking:
    """Chosen on the tuning half by nDCG@10 from a coarse grid (`bench/search.py --tune`): the original query's
    share in the feedback blend (RM3's lambda) from none, 0.3, 0.5, 0.7, and nearness's weight from 0, 0.25,
    0.5, 1. The rest are the methods' customary settings, not tuned."""
    feedback_records: int = 10  # 0 turns feedback off
    feedback_words: int = 20
    feedback_depth: int = 1000  # the best matches feedback reorders, as a search engine reranks its best 1000
    original_share: float = 0.7
    nearness_weight: float = 0.5  # 0 turns nearness off
    nearness_window: int = 5  # words further apart than this are not near
    nearness_candidates: int = 100  # the best matches re-read for positions


RANKING = Ranking()
TOP_BOOST = max(boost for _, boost in FREE_TEXT_FIELDS)


def query_words(query: wq.Query) -> list[str]:
    """The words a query seeks in text, in the order typed, once for all the fields each is sought in;
    words it excludes (NOT) are not among them."""
    if isinstance(query, wq.Term):
        return [query.text] if query.fieldname in TEXT_FIELDS else []
    if isinstance(query, (wq.And, wq.Or)):
        parts = query.subqueries
        if all(isinstance(part, wq.Term) for part in parts) and len({part.text for part in parts}) == 1:
            return query_words(parts[0])
        return [word for part in parts for word in query_words(part)]
    return []


def query_mass(query: wq.Query) -> float:
    """How much a query asks in text: the boost of each word it seeks (once over its fields, as BM25F scores
    it), of each word of a phrase and of each wildcard. Feedback weighs the original query by it."""
    if isinstance(query, (wq.Term, wq.Prefix, wq.Wildcard)):
        return query.boost if query.fieldname in TEXT_FIELDS else 0.0
    if isinstance(query, wq.Phrase):
        return query.boost * len(query.words) if query.fieldname in TEXT_FIELDS else 0.0
    if isinstance(query, (wq.And, wq.Or)):
        words: dict[str, float] = {}
        rest = 0.0
        for part in query.subqueries:
            if isinstance(part, wq.Term) and part.fieldname in TEXT_FIELDS:
                words[part.text] = max(words.get(part.text, 0.0), part.boost)
            else:
                rest += query_mass(part)
        return query.boost * (sum(words.values()) + rest)
    return 0.0  # NOT, ranges, everything: they add no score


def relevance_model(texts: list[str], scores: list[float], size: int) -> dict[str, float]:
    """RM1: P(w|R) = sum over the feedback records D of P(w|D) P(D|Q), P(D|Q) taken as D's share of
    their scores; the `size` most probable words, their probabilities summing to 1."""
    total = sum(scores)
    model: dict[str, float] = defaultdict(float)
    for text, score in zip(texts, scores, strict=True):
        counts = Counter(token.text for token in _analyzer(text, mode="query"))
        length = sum(counts.values())
        for word, count in counts.items():
            model[word] += score / total * count / length
    kept = sorted(model.items(), key=lambda item: -item[1])[:size]
    mass = sum(probability for _, probability in kept)
    return {word: probability / mass for word, probability in kept}


def with_feedback(statistics: Statistics, matches: Matches, query: wq.Query, read: Callable[[list[int]], list[str]],
                  ranking: Ranking = RANKING) -> Matches:
    """RM3: the scores of `query` and of its relevance model's words blended, each per unit of its mass, over the
    best matches (whatever ranks below them keeps its order); `read` gives the text of records by document number."""
    mass = query_mass(query)
    best = matches.top(ranking.feedback_records) if ranking.feedback_records and mass else []
    if not best or best[0][1] <= 0:
        return matches
    model = relevance_model(read([doc for doc, _ in best]), [score for _, score in best], ranking.feedback_words)
    pool = [doc for doc, _ in matches.top(ranking.feedback_depth)]
    segments = []
    for view, mask, scores in matches.segments:
        docs = _inside(view, pool)
        blended = scores * (ranking.original_share / mass)
        blended[docs] += (1 - ranking.original_share) * _model_scores(view, statistics, model, docs)
        segments.append((view, mask, blended))
    return Matches(segments, matches.matched_terms)


def _inside(view, docs: list[int]) -> np.ndarray:
    """Those of the index's `docs` that are in this segment, as its own document numbers, ascending."""
    return np.array(sorted(doc - view.offset for doc in docs if 0 <= doc - view.offset < view.arrays.size),
                    dtype=np.int64)


def _model_scores(view, statistics: Statistics, model: dict[str, float], docs: np.ndarray) -> np.ndarray:
    """The BM25F score of the relevance model's words, each weighed by its probability, at `docs` of a segment
    (as for a free-text word of the query language, per unit of its weight)."""
    total = np.zeros(len(docs), dtype=np.float32)
    for word, probability in model.items():
        frequency = np.zeros(len(docs), dtype=np.float32)
        idf = np.inf
        for field, boost in FREE_TEXT_FIELDS:
            postings = POSTINGS.get(view.arrays.segment_id, view.reader, field, word.encode("utf-8"))
            if postings is None:
                continue
            at = np.minimum(np.searchsorted(postings.docs, docs), len(postings.docs) - 1)
            found = postings.docs[at] == docs
            lengths = view.arrays.lengths(view.reader, field)[docs]
            frequency += np.where(found, postings.frequencies[at], 0) * boost / TOP_BOOST / \
                length_norm(lengths, field, statistics)
            idf = min(idf, statistics.idf(field, word.encode("utf-8")))
        if idf < np.inf:
            total += probability * idf * saturated(frequency)
    return total


def with_nearness(statistics: Statistics, matches: Matches, words: list[str], ranking: Ranking = RANKING) -> Matches:
    """BM25TP: each pair of words next to each other in the query adds, in each of the best matches,
    min(idf) * saturated(near), `near` summing 1/distance over the places they are within
    the window of each other, in each free-text field by its weight and length, as BM25F sums frequencies."""
    pairs = list(dict.fromkeys((first, second) for first, second in pairwise(words) if first != second))
    if not ranking.nearness_weight or not pairs:
        return matches
    best = [doc for doc, _ in matches.top(ranking.nearness_candidates)]
    segments = []
    for view, mask, scores in matches.segments:
        docs = _inside(view, best).tolist()
        lifted = scores.copy()
        for doc, lift in _nearness(view, docs, pairs, statistics, ranking.nearness_window).items():
            lifted[doc] += ranking.nearness_weight * lift
        segments.append((view, mask, lifted))
    return Matches(segments, matches.matched_terms)


def _nearness(view, docs: list[int], pairs, statistics: Statistics, window: int) -> dict[int, float]:
    lifts: dict[int, float] = defaultdict(float)
    words = dict.fromkeys(word for pair in pairs for word in pair)
    places = {(field, word): _positions(view.reader, field, word, docs)
              for field, _ in FREE_TEXT_FIELDS for word in words} if docs else {}
    for first, second in pairs:
        near, idf = _near(view, places, first, second, statistics, window)
        for doc, amount in near.items():
            lifts[doc] += TOP_BOOST * idf * saturated(amount)
    return lifts


def _near(view, places, first: str, second: str, statistics: Statistics, window: int) -> tuple[dict, float]:
    """Per record, how near the two words are, summed over the fields as BM25F sums frequencies; the rarer's idf."""
    near: dict[int, float] = defaultdict(float)
    idf = float("inf")
    for field, boost in FREE_TEXT_FIELDS:
        before, after = places.get((field, first), {}), places.get((field, second), {})
        shared = before.keys() & after.keys()
        if not shared:
            continue
        lengths = view.arrays.lengths(view.reader, field)
        for doc in shared:
            near[doc] += boost / TOP_BOOST * _closeness(before[doc], after[doc], window) / length_norm(
                lengths[doc], field, statistics)
        idf = min(idf, statistics.idf(field, first.encode()), statistics.idf(field, second.encode()))
    return near, idf


def _closeness(first: list[int], second: list[int], window: int) -> float:
    """The sum of 1/distance from each place of the second word to the nearest place of the first, within the window."""
    total = 0.0
    for place in second:
        index = bisect_left(first, place)
        distance = min(abs(place - first[i]) for i in (index - 1, index) if 0 <= i < len(first))
        if distance <= window:
            total += 1 / max(distance, 1)  # a compound's part shares its place
    return total


def _positions(reader, field: str, word: str, docs: list[int]) -> dict[int, list[int]]:
    """The places of a word in each of `docs` (ascending) that has it, read through Whoosh's matcher."""
    btext = word.encode("utf-8")
    if (field, btext) not in reader:
        return {}
    matcher = reader.postings(field, btext)
    found = {}
    for doc in docs:
        if matcher.is_active() and matcher.id() < doc:
            matcher.skip_to(doc)
        if not matcher.is_active():
            break
        if matcher.id() == doc:
            found[doc] = sorted(matcher.value_as("positions"))
    return found
