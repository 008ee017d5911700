"""The respondent's answer."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..cases.forms import FormWithFiles
from ..submission_keys import KeyedForm


class AnswerForm(KeyedForm, FormWithFiles):
    """The written statement is the answer (the workflow's comment); the files back it up."""

    comment = TextAreaField(_l("Your written statement"), validators=[
        DataRequired(message=_l("Write your statement: whether the product copies the patent, and what you propose.")),
        Length(max=10000)])
    files = MultipleFileField(_l("Documents: evidence of an earlier design, a licence, photos (PDF, PNG, JPEG, DOCX, "
                                 "XLSX)"))
    submit = SubmitField(_l("Send your answer"))
