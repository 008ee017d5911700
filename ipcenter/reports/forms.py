"""Editing a search report."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length


class ConclusionForm(FlaskForm):
    conclusion = TextAreaField(_l("Examiner's conclusion"), validators=[Length(max=20000)])
