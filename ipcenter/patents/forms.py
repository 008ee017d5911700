"""The search form (GET, bookmarkable) and the citation form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..reports.models import CATEGORIES
from ..submission_keys import KeyedForm

MAX_QUERY_LENGTH = 4000
SEARCH_MODES = {"query": _l("Query"), "similar": _l("Similar to a description")}
SORTS = {"relevance": _l("Relevance"), "newest": _l("Newest first"), "oldest": _l("Oldest first")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in labels.items()]


class SearchForm(Form):
    q = TextAreaField(_l("Search"), validators=[Optional(), Length(max=MAX_QUERY_LENGTH)])
    mode = SelectField(_l("Search by"), default="query", choices=_choices(SEARCH_MODES))
    sort = SelectField(_l("Order"), default="relevance", choices=_choices(SORTS))
    case = HiddenField()


class CiteForm(KeyedForm):
    case = StringField(_l("Case reference"), validators=[DataRequired(), Length(max=16)])
    category = SelectField(_l("Category"), choices=_choices(CATEGORIES), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Length(max=2000)])
    replace = BooleanField(_l("Replace its category and note"))
    next = HiddenField("next")  # a label: see submission_keys.KeyedForm
