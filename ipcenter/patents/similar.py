"""The similar patents a record's page shows: found once per record and viewer, and again once the index changes.

A "more like this" search weighs some eighty words of the record in every text field; it costs more than the
rest of the page, and its answer changes only with the index. Each process remembers the answers (the ids and
scores, not the records) for the searcher it reads: a searcher refreshed for a changed index starts afresh.
"""
import threading
from collections import OrderedDict

from .index import current_searcher
from .models import Patent
from .search import Hit, more_like, patents_by_id, visibility_filter

REMEMBERED = 5000  # answers per process; the least recently shown go first
_local = threading.local()


def similar_on_page(user, patent: Patent, count: int = 10) -> list[Hit]:
    """The `count` records most like `patent` among those `user` may see, closest first (without highlights)."""
    answers = _answers()
    key = (patent.id, visibility_filter(user), count)  # what the viewer may see of the collection
    found = answers.get(key)
    if found is None:
        hits = more_like(user, patent, per_page=count, facets=False, highlight=False).hits
        answers[key] = [(hit.patent.id, hit.score) for hit in hits]
        if len(answers) > REMEMBERED:
            answers.popitem(last=False)
        return hits
    answers.move_to_end(key)
    if not found:
        return []
    patents = patents_by_id([pid for pid, _ in found])
    return [Hit(patents[pid], score, {}) for pid, score in found if pid in patents]


def _answers() -> OrderedDict:
    """This thread's remembered answers, emptied when its searcher has been refreshed for a changed index."""
    searcher = current_searcher()
    if getattr(_local, "searcher", None) is not searcher:
        _local.searcher, _local.answers = searcher, OrderedDict()
    return _local.answers
