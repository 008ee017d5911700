"""Forms for logging in, passwords, profiles and staff accounts."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..submission_keys import KeyedForm
from .models import Role
from .operations import email_taken, password_problems

LANGUAGE_CHOICES = [SelectChoice("zh", "简体中文"), SelectChoice("en", "English")]


EMAIL = _l("Email")


def email_field(label=EMAIL):
    return EmailField(label, validators=[DataRequired(), Email(message=_l("Enter a valid email address.")),
                                         Length(max=254)])


class StrongPassword:
    """The password rule of `password_problems`, beside the field."""

    def __call__(self, form, field):
        field_email = getattr(form, "email", None)  # the account's email: the form's own, or one a view set
        email = (field_email.data or "") if field_email is not None else getattr(form, "account_email", "")
        problems = password_problems(field.data or "", email)
        if problems:
            raise ValidationError(problems[0])


def new_password_fields():
    """A new password and its confirmation, as a pair of fields."""
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword(), Length(max=128)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
    return password, confirm


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (templates/_checkbox_list.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UniqueEmail:
    def __call__(self, form, field):
        if field.data and email_taken(field.data):
            raise ValidationError(_l("An account with this email already exists."))


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Email me a reset link"))


class ConfirmationRequestForm(FlaskForm):
    """A new email-confirmation link, offered at login to an account that awaits one."""

    email = HiddenField(validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send the link again"))


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Change password"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class StaffUserForm(KeyedForm):
    """A manager creates or edits a center account (staff or manager)."""

    email = email_field()
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), coerce=int, choices=[])
    posts = CheckboxListField(_l("Posts"), coerce=int, choices=[])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, post_choices=(), editing=None, **kwargs):
        super().__init__(*args, edits=editing is not None, **kwargs)
        self.role.choices = [SelectChoice(int(r), r.label) for r in (Role.STAFF, Role.MANAGER)]
        self.posts.choices = [SelectChoice(value, label) for value, label in post_choices]
        self.editing = editing
        if editing is not None:
            del self.email

    def validate_email(self, field):
        UniqueEmail()(self, field)


class InviteForm(KeyedForm):
    """An invitation of a colleague or a unit reporter, by email."""

    email = email_field()
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Send invitation"))

    def validate_email(self, field):
        UniqueEmail()(self, field)


class ManagerAccountForm(FlaskForm):
    """The first manager, made with `flask users create-manager`: the web forms' rules, and no
    CSRF token since no browser is involved."""

    class Meta:
        csrf = False

    email = email_field()
    password, confirm = new_password_fields()

    def validate_email(self, field):
        UniqueEmail()(self, field)
