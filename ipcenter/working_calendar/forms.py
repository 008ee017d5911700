"""The calendar page's forms: one day, or the whole year's schedule as text or as a file."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import DateInput

from ..submission_keys import KeyedForm
from .models import DayKind
from .notice import NAME_EN_LENGTH, NAME_ZH_LENGTH, ListedDay, ScheduleRefused, read_date


class DayForm(KeyedForm):
    # Checked by the schedule's own reading (full-width digits, a day the month lacks); a date picker in browsers.
    day = StringField(_l("Date"), validators=[DataRequired(message=_l("Give the date as YYYY-MM-DD."))],
                      widget=DateInput())
    kind = SelectField(_l("Kind of day"), coerce=int)
    name_zh = StringField(_l("Name in Chinese (as in the notice)"),
                          validators=[DataRequired(), Length(max=NAME_ZH_LENGTH)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=NAME_EN_LENGTH)])
    submit = SubmitField(_l("Add the day"))
    day_read: date  # set by validate_day

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(int(kind), kind.label) for kind in DayKind]  # in the reader's language

    def validate_day(self, field) -> None:
        try:
            self.day_read = read_date(field.data)
        except ScheduleRefused as refusal:
            raise ValidationError(str(refusal)) from None

    def listed_day(self) -> ListedDay:
        """The day the form gives, once validated (its date as `validate_day` read it)."""
        kind = next(kind for kind in DayKind if kind == self.kind.data)  # one of the choices: the form checked it
        return ListedDay(self.day_read, kind, self.name_zh.data.strip(),
                         (self.name_en.data or "").strip() or None)


class ScheduleForm(KeyedForm):
    text = TextAreaField(_l("The year's schedule, one line per holiday or make-up working day"),
                         validators=[Optional(), Length(max=20000)])
    file = FileField(_l("Or import it from a file (text or CSV in the same form)"))
    submit = SubmitField(_l("Save the schedule"))
