"""Editing a search report: citing a patent, recording a search, the conclusion."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..patents.forms import SEARCH_MODES
from ..patents.query import MAX_QUERY_LENGTH
from ..submission_keys import KeyedForm
from .models import CATEGORIES


class ConclusionForm(FlaskForm):
    conclusion = TextAreaField(_l("Examiner's conclusion"), validators=[Length(max=20000)])


class CiteForm(KeyedForm):
    case = StringField(_l("Case reference"), validators=[DataRequired(), Length(max=16)])
    category = SelectField(_l("Category"), choices=[SelectChoice(code, label) for code, label in CATEGORIES.items()],
                           validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Length(max=2000)])
    replace = BooleanField(_l("Replace its category and note"))
    next = HiddenField("next")  # a label: see submission_keys.KeyedForm


class RecordSearchForm(KeyedForm):
    """The search on the results page, put into the case's report at the searcher's request."""

    q = HiddenField(_l("Search"), validators=[DataRequired(), Length(max=MAX_QUERY_LENGTH)])
    mode = SelectField(_l("Search by"), choices=list(SEARCH_MODES))
    next = HiddenField("next")  # a label: see submission_keys.KeyedForm
