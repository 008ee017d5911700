"""The search form (GET, bookmarkable)."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..list_filters import FilterForm
from .query import MAX_QUERY_LENGTH

SEARCH_MODES = {"query": _l("Query"), "similar": _l("Similar to a description")}
SORTS = {"relevance": _l("Relevance"), "newest": _l("Newest first"), "oldest": _l("Oldest first")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in labels.items()]


class SearchForm(FilterForm):
    q = TextAreaField(_l("Search"), validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    mode = SelectField(_l("Search by"), default="query", choices=_choices(SEARCH_MODES))
    sort = SelectField(_l("Order"), default="relevance", choices=_choices(SORTS))
    case = HiddenField()
