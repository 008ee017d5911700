"""The template page's form: a Word file to replace a kind's template in one language."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class TemplateForm(FlaskForm):
    """Prefixed with its language: the page has one for the Chinese template and one for the English."""

    file = FileField(_l("A new template (.docx)"), validators=[FileRequired(message=_l("Choose the Word file."))])
    submit = SubmitField(_l("Check it and use it"))
