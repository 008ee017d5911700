"""Forms for submitting requests and for working on cases."""
import secrets

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..calendar import center_today
from ..i18n import spoken_list
from ..submission_keys import KeyedForm
from .vocabularies import CONSULTATION_TOPICS, FOREIGN_EVENTS, PATENT_KINDS, RETRIEVAL_PURPOSES, SATISFACTION_SCORES


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in labels.items()]


def _choices_to_pick(labels: dict) -> list[SelectChoice]:
    """No answer preselected: the user must choose one."""
    return [SelectChoice("", _l("Choose…"))] + _choices(labels)


def new_submission_token() -> str:
    return secrets.token_urlsafe(32)


class FormWithFiles(FlaskForm):
    """A form with a `files` field. A browser never gets back the files it sent, so a form shown again with
    errors tells the user, beside the field, which files to choose again."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            self.ask_for_files_again()
        return valid

    def ask_for_files_again(self) -> None:
        names = [upload.filename for upload in self.files.data or [] if upload and upload.filename]
        if names:
            self.files.errors = [*self.files.errors, ngettext(
                "The file you chose (%(names)s) was not saved: choose it again before sending the form.",
                "The files you chose (%(names)s) were not saved: choose them again before sending the form.",
                len(names), names=spoken_list(names))]


def show_refusal_beside_field(form, refusal: Exception) -> bool:
    """A refusal beside the field at fault, when the form has it (and the files it sent named again);
    False when no field is at fault, for the caller to show the refusal above the form."""
    field = getattr(refusal, "field", None)
    if field in form:
        form[field].errors = [*form[field].errors, str(refusal)]
    if isinstance(form, FormWithFiles):
        form.ask_for_files_again()
    return field in form


class RequestForm(FormWithFiles):
    """What every request has; each case type's form adds its own fields below (workflow.CaseType.request_form).

    `submission_token` is issued with the empty form and used up by the case it makes."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=10000)])
    files = MultipleFileField(_l("Attachments (PDF, PNG, JPEG, DOCX, XLSX)"))
    submission_token = HiddenField("submission_token", validators=[Regexp(r"^[A-Za-z0-9_-]{43}$", message=_l(
        "This form was not opened from the center's site, or has expired: check it and submit it again."))])
    submit = SubmitField(_l("Submit the request"))

    TYPE_FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fields.move_to_end("submit")  # declared here, before each type's own fields
        if not self.is_submitted():
            self.submission_token.data = new_submission_token()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.submission_token.errors:  # a fresh one, so that sending the form again works
            self.submission_token.data = new_submission_token()
        return valid

    def case_details(self) -> dict:
        """The values that become the case's columns."""
        return {name: getattr(self, name).data for name in ("title", "description", *self.TYPE_FIELDS)}


class PatentRequestForm(RequestForm):
    # Most of Guzhen's requests are lamp designs.
    patent_kind = SelectField(_l("Kind of patent"), choices=_choices(PATENT_KINDS), default="design")
    product_name = StringField(_l("Product"), validators=[DataRequired(), Length(max=200)])
    classification = StringField(_l("Classification (IPC or Locarno)"), validators=[Optional(), Length(max=100)],
                                 description=_l("e.g. 26-05 for lamps, or F21V 21/00"))
    TYPE_FIELDS = ("patent_kind", "product_name", "classification")


class FastPreExaminationForm(PatentRequestForm):
    classification = StringField(_l("Classification (IPC or Locarno)"), validators=[DataRequired(),
                                 Length(max=100)], description=_l("Lighting only: Locarno 26-xx or IPC F21…"))


class RetrievalRequestForm(RequestForm):
    retrieval_purpose = SelectField(_l("Purpose of the search"), choices=_choices_to_pick(RETRIEVAL_PURPOSES),
                                    validators=[DataRequired(message=_l("Choose the purpose of the search."))])
    target_description = TextAreaField(_l("What should be searched against"),
                                       validators=[DataRequired(), Length(max=10000)])
    files = MultipleFileField(_l("Reference images and documents (PDF, PNG, JPEG, DOCX, XLSX)"))
    TYPE_FIELDS = ("retrieval_purpose", "target_description")


class ConsultationRequestForm(RequestForm):
    # A field of IP to choose, not a second title: the center counts and routes consultations by it.
    topic = SelectField(_l("Topic"), choices=_choices_to_pick(CONSULTATION_TOPICS),
                        validators=[DataRequired(message=_l("Choose the topic of your question."))])
    TYPE_FIELDS = ("topic",)


class ForeignAssistanceForm(RequestForm):
    country = StringField(_l("Country or region"), validators=[DataRequired(), Length(max=100)])
    counterparty = StringField(_l("Counterparty"), validators=[Optional(), Length(max=200)])
    foreign_event = SelectField(_l("Kind of matter"), choices=_choices_to_pick(FOREIGN_EVENTS),
                                validators=[DataRequired(message=_l("Choose the kind of matter."))])
    external_deadline = DateField(_l("External deadline"), validators=[Optional()],
                                  description=_l("e.g. the opening day of the exhibition"))
    TYPE_FIELDS = ("country", "counterparty", "foreign_event", "external_deadline")

    def validate_external_deadline(self, field):
        if field.data and field.data < center_today():
            raise ValidationError(_l("The deadline is already past."))


class ActionForm(KeyedForm, FormWithFiles):
    """One workflow action; the case page shows only the inputs the transition asks for."""

    version = HiddenField("version")  # a label: see submission_keys.KeyedForm
    comment = TextAreaField(_l("Comment"), validators=[Length(max=10000)])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=10000)])
    application_number = StringField(_l("Application number"), validators=[Length(max=40)])
    patent_number = StringField(_l("Patent number"), validators=[Length(max=40)])
    files = MultipleFileField(_l("Attachments"))


class NoteForm(KeyedForm, FormWithFiles):
    # Under the card's heading "Internal note": the label says what to write, not the heading again.
    comment = TextAreaField(_l("What the center should know"), validators=[DataRequired(), Length(max=10000)])
    files = MultipleFileField(_l("Attachments"))
    submit = SubmitField(_l("Add the note"))


class BulkForm(FlaskForm):
    """One action for the cases ticked in a staff list."""

    case = SelectMultipleField(_l("Ticked cases"), choices=[], validate_choice=False, validators=[
        DataRequired(message=_l("Tick the cases to act on first."))])
    action = SelectField(_l("With the ticked cases"), choices=[])
    assignee = SelectField(_l("Assign to"), coerce=int, choices=[], validate_choice=False)
    next = HiddenField("next")  # a label: see submission_keys.KeyedForm

    def validate_assignee(self, field):
        if self.action.data == "assign" and not field.data:
            raise ValidationError(_l("Choose who is to have the cases."))


class AssignForm(FlaskForm):
    version = HiddenField("version")  # a label: see submission_keys.KeyedForm
    assignee = SelectField(_l("Assign to"), coerce=int, choices=[])
    submit = SubmitField(_l("Assign"))


class DelegateForm(KeyedForm):
    version = HiddenField("version")  # a label: see submission_keys.KeyedForm
    unit = SelectField(_l("Demonstration unit"), coerce=int, choices=[])
    comment = TextAreaField(_l("What the unit should do"), validators=[
        DataRequired(message=_l("Write what the unit should do: it is the unit's brief.")), Length(max=10000)])
    submit = SubmitField(_l("Delegate"))


class ProgressForm(KeyedForm, FormWithFiles):
    percent = IntegerField(_l("Progress (%)"), validators=[InputRequired(message=_l("Give the progress in percent.")),
                                                          NumberRange(0, 100)])
    note = TextAreaField(_l("What has been done"), validators=[DataRequired(), Length(max=10000)])
    files = MultipleFileField(_l("Attachments"))
    submit = SubmitField(_l("File the report"))


def _score(value) -> int | None:
    """A score as sent; anything but a whole number is no score (the validator then says what a score is)."""
    return int(value) if str(value).strip().isdigit() else None


SCORE_NEEDED = _l("Choose a score from 1 (very dissatisfied) to 5 (very satisfied).")


class SatisfactionForm(KeyedForm):
    """The one question asked when a case closes; a score is required, the comment is not."""

    score = RadioField(_l("How satisfied are you with the center’s work on this request?"), coerce=_score,
                       choices=_choices(SATISFACTION_SCORES), validate_choice=False,
                       validators=[InputRequired(message=SCORE_NEEDED),
                                   AnyOf(SATISFACTION_SCORES, message=SCORE_NEEDED)])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send my answer"))
