"""The finder's form that saves its filters as a view, and the form that renames one."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..i18n import localized_name
from ..submission_keys import KeyedForm
from .models import NAME_LENGTH
from .operations import NAME_MISSING, NAME_TOO_LONG


def _stripped(text):
    return text.strip() if isinstance(text, str) else text


def _name_field() -> StringField:
    return StringField(_l("Name of the view"), filters=[_stripped], validators=[
        DataRequired(message=NAME_MISSING), Length(max=NAME_LENGTH, message=NAME_TOO_LONG)])


class RenameViewForm(FlaskForm):
    name = _name_field()


class SaveViewForm(KeyedForm):
    name = _name_field()
    # Not checked against the menu: a post the user is not on is refused with the reason (operations.save_view).
    shared_with = SelectField(_l("Who sees it"), coerce=int, choices=[], validate_choice=False)
    make_default = BooleanField(_l("Make it my default: “Find a case” opens with it"))


def save_view_form(user, **kwargs) -> SaveViewForm:
    """The form with its menu: the user alone, or one of their posts."""
    form = SaveViewForm(**kwargs)
    posts = sorted(user.posts, key=lambda post: post.id)
    form.shared_with.choices = [(0, _l("Only me"))] + [
        (post.id, _l("Me and the staff of %(post)s", post=localized_name(post))) for post in posts]
    return form
