"""Forms for enterprise registration and the managers' organisation pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..accounts.forms import CheckboxListField, email_field, new_password_fields
from ..extensions import db
from ..submission_keys import KeyedForm
from ..validators import CreditCode, MainlandPhone
from .models import DemonstrationUnit, Post, UnitKind
from .operations import credit_code_in_use


def _taken(column, value, exclude_id=None) -> bool:
    query = select(func.count()).where(column == value)
    if exclude_id is not None:
        query = query.where(column.table.c.id != exclude_id)
    return db.session.execute(query).scalar_one() > 0


class RegistrationForm(KeyedForm):
    """An enterprise registers itself and its first user in one step."""

    name_zh = StringField(_l("Legal name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(), CreditCode()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    contact_person = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=30), MainlandPhone()])
    organisation_email = email_field(_l("Company email"))
    main_products = TextAreaField(_l("Main products"), validators=[DataRequired(), Length(max=2000)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    email = email_field(_l("Your login email"))
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Register"))

    def validate_credit_code(self, field):
        if credit_code_in_use(field.data):
            raise ValidationError(_l("An enterprise with this credit code is already registered."))


class OrganisationDetailsForm(FlaskForm):
    """Details an enterprise keeps up to date itself (not its name or credit code)."""

    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    contact_person = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=30), MainlandPhone()])
    email = email_field(_l("Company email"))
    main_products = TextAreaField(_l("Main products"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Save"))


class ReviewForm(FlaskForm):
    """A manager's decision; refusals and suspensions need a reason."""

    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class UnitForm(KeyedForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), coerce=int, choices=[])
    contact_person = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=30), MainlandPhone()])
    email = email_field(_l("Email"))
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, obj=unit, edits=unit is not None, **kwargs)
        self.unit = unit
        self.kind.choices = [SelectChoice(int(kind), kind.label) for kind in UnitKind]

    def validate_name_zh(self, field):
        if _taken(DemonstrationUnit.name_zh, field.data.strip(), self.unit and self.unit.id):
            raise ValidationError(_l("A unit with this name already exists."))


class PostForm(KeyedForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("Short identifier in lower case, e.g. pre_examination."))
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    members = CheckboxListField(_l("Staff members"), coerce=int, choices=[])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, post=None, member_choices=(), **kwargs):
        super().__init__(*args, obj=post, edits=post is not None, **kwargs)
        self.post = post
        self.members.choices = [SelectChoice(value, label) for value, label in member_choices]

    def validate_code(self, field):
        field.data = field.data.strip()
        if not field.data.replace("_", "").isalnum() or not field.data.isascii() or field.data != field.data.lower():
            raise ValidationError(_l("Use lower-case letters, digits and underscores only."))
        self._unique(Post.code, field)

    def validate_name_zh(self, field):
        self._unique(Post.name_zh, field)

    def validate_name_en(self, field):
        self._unique(Post.name_en, field)

    def _unique(self, column, field):
        if _taken(column, field.data.strip(), self.post and self.post.id):
            raise ValidationError(_l("Another post already uses this."))
