"""The audit log's filters (GET, bookmarkable)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..list_filters import FilterForm
from .models import ACTIONS, OBJECT_KINDS


def _choices(every, labels: dict) -> list[SelectChoice]:
    return [SelectChoice("", every), *(SelectChoice(code, label) for code, label in labels.items())]


class AuditFilterForm(FilterForm):
    who = StringField(_l("User or address"), validators=[Optional(), Length(max=254)])
    action = SelectField(_l("Action"), default="", choices=_choices(_l("Every action"), ACTIONS))
    kind = SelectField(_l("Object"), default="", choices=_choices(_l("Every kind of object"), OBJECT_KINDS))
    object_id = StringField(_l("Object id or reference"), validators=[Optional(), Length(max=64)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the range comes before its start."))

    def first_error(self) -> str:
        field = next(field for field in self if field.errors)
        return f"{field.label.text}: {field.errors[0]}"
