"""Editing a search report."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..patents.forms import MAX_QUERY_LENGTH, SEARCH_MODES
from ..submission_keys import KeyedForm


class ConclusionForm(FlaskForm):
    conclusion = TextAreaField(_l("Examiner's conclusion"), validators=[Length(max=20000)])


class RecordSearchForm(KeyedForm):
    """The search on the results page, put into the case's report at the searcher's request."""

    q = HiddenField(_l("Search"), validators=[DataRequired(), Length(max=MAX_QUERY_LENGTH)])
    mode = SelectField(_l("Search by"), choices=list(SEARCH_MODES))
    next = HiddenField("next")  # a label: see submission_keys.KeyedForm
