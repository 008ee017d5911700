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
from wtforms.widgets import CheckboxInput, ListWidget

from ..calendar import center_today
from ..i18n import spoken_list
from ..patents.numbers import InvalidApplicationNumber, normalise_cn_application_number
from ..submission_keys import KeyedForm
from ..validators import CreditCode
from .vocabularies import (
    CHANNELS,
    CONSULTATION_TOPICS,
    FOREIGN_EVENTS,
    PATENT_KINDS,
    PATENT_STATUSES,
    REMEDIES,
    RETRIEVAL_PURPOSES,
    SATISFACTION_SCORES,
    STANDINGS,
)


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


class ComplaintForm(RequestForm):
    """An infringement complaint: the patent enforced, the complainant's standing, the respondent, where the copy
    was found, and what is asked. Title and description are the accused product's."""

    title = StringField(_l("Accused product"), validators=[DataRequired(), Length(max=200)],
                        description=_l("e.g. 六臂水晶吊灯 sold as model HX-806"))
    description = TextAreaField(_l("What you found, and how it copies your patent"),
                                validators=[DataRequired(), Length(max=10000)])
    patent_number = StringField(_l("Patent enforced"), validators=[DataRequired(), Length(max=40)],
                                description=_l("e.g. ZL202130123456.8"))
    patent_kind = SelectField(_l("Kind of patent"), choices=_choices(PATENT_KINDS), default="design")
    patent_status = SelectField(_l("Legal status"), choices=_choices(PATENT_STATUSES), default="in_force")
    evaluation_report = SelectField(_l("Patent evaluation report (utility models and designs)"), choices=[
        SelectChoice("", _l("Choose… (not for an invention)")), SelectChoice("yes", _l("We have one")),
        SelectChoice("no", _l("We have none"))], default="")
    standing = SelectField(_l("Your right to complain"), choices=_choices(STANDINGS), default="owner")
    standing_note = TextAreaField(_l("Why you may enforce it"), validators=[Length(max=2000)],
                                  description=_l("For a licence or an assignment: the contract, its date and term; "
                                                 "attach it below."))
    respondent_name = StringField(_l("Respondent (who sells or shows the copy)"),
                                  validators=[DataRequired(), Length(max=200)])
    respondent_credit_code = StringField(_l("Respondent's unified social credit code, if known"),
                                         validators=[Optional(), CreditCode()])
    respondent_address = StringField(_l("Respondent's address"), validators=[Optional(), Length(max=300)])
    respondent_contact = StringField(_l("Respondent's contact (person, phone)"), validators=[Optional(),
                                                                                          Length(max=200)])
    respondent_email = StringField(_l("Respondent's email, for the center's notice"),
                                   validators=[Optional(), Length(max=254), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                               message=_l("This is not an email address."))])
    channel = SelectField(_l("Where the copy was found"), choices=_choices(CHANNELS), default="ordinary")
    fair_name = StringField(_l("Trade fair"), validators=[Length(max=200)], description=_l("e.g. 古镇灯博会"))
    found_at = StringField(_l("Booth number, shop address or online store"), validators=[Length(max=300)])
    platform = StringField(_l("Online platform"), validators=[Length(max=100)], description=_l("e.g. 淘宝, 京东"))
    item_url = StringField(_l("Address (URL) of the item"), validators=[Optional(), Length(max=500), Regexp(
        r"^https?://\S+$", message=_l("Give the item's full address, beginning with http:// or https://."))])
    remedies = SelectMultipleField(_l("What you ask"), choices=_choices(REMEDIES), default=["stop"],
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    damages_amount = IntegerField(_l("Damages asked (yuan)"), validators=[Optional(), NumberRange(1, 10**9)])
    files = MultipleFileField(_l("Evidence: photos of the product, purchase receipt, notarised evidence, and the "
                                 "proof of your right if you are not the owner (PDF, PNG, JPEG, DOCX, XLSX)"))
    TYPE_FIELDS = ("patent_number", "patent_kind", "patent_status", "evaluation_report", "standing", "standing_note",
                   "respondent_name", "respondent_credit_code", "respondent_address", "respondent_contact",
                   "respondent_email", "channel", "fair_name", "found_at", "platform", "item_url", "remedies",
                   "damages_amount")

    def validate_patent_number(self, field) -> None:
        try:
            field.data = "ZL" + normalise_cn_application_number(field.data).removeprefix("CN")
        except InvalidApplicationNumber:
            raise ValidationError(_l("This is not a valid Chinese patent number (e.g. ZL202130123456.8: the "
                                     "application number, whose last character is a check digit).")) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field, needed, message in self._conditions():
            if needed and not (field.data or "").strip():
                field.errors = [*field.errors, message]
                valid = False
        if not self.remedies.data:  # not DataRequired: it would mark every box required, as if all were asked
            self.remedies.errors = [*self.remedies.errors, _l("Choose at least one thing you ask.")]
            valid = False
        if "damages" in (self.remedies.data or []) and not self.damages_amount.data:
            self.damages_amount.errors = [*self.damages_amount.errors, _l("Say how much you ask in damages.")]
            valid = False
        if not any(upload and upload.filename for upload in self.files.data or []):
            self.files.errors = [*self.files.errors, _l("Attach your evidence: at least photos of the product.")]
            valid = False
        return valid

    def _conditions(self):
        channel, kind = self.channel.data, self.patent_kind.data
        return [
            (self.fair_name, channel == "fair", _l("Name the trade fair.")),
            (self.found_at, channel in ("fair", "ordinary"), _l("Give the booth number or the shop's address.")),
            (self.platform, channel == "online", _l("Name the online platform.")),
            (self.item_url, channel == "online", _l("Give the item's address.")),
            (self.standing_note, self.standing.data != "owner", _l("Say why you may enforce the patent.")),
            (self.evaluation_report, kind in ("utility_model", "design"),
             _l("Say whether you have a patent evaluation report.")),
        ]

    def case_details(self) -> dict:
        details = super().case_details()
        details["remedies"] = ",".join(code for code in REMEDIES if code in (details["remedies"] or []))
        details["evaluation_report"] = {"yes": True, "no": False}.get(details["evaluation_report"])
        details["respondent_credit_code"] = (details["respondent_credit_code"] or "").strip().upper() or None
        return {name: (value.strip() or None) if isinstance(value, str) and name not in ("title", "description")
                else value for name, value in details.items()}


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
