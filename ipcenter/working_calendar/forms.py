"""The calendar page's forms: one day, or the whole year's schedule as text or as a file."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..submission_keys import KeyedForm
from .models import DayKind
from .notice import NAME_EN_LENGTH, NAME_ZH_LENGTH, ListedDay


class DayForm(KeyedForm):
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Give the date as YYYY-MM-DD."))])
    kind = SelectField(_l("Kind of day"), coerce=int)
    name_zh = StringField(_l("Name in Chinese (as in the notice)"),
                          validators=[DataRequired(), Length(max=NAME_ZH_LENGTH)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=NAME_EN_LENGTH)])
    submit = SubmitField(_l("Add the day"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(int(kind), kind.label) for kind in DayKind]  # in the reader's language

    def listed_day(self) -> ListedDay:
        kind = next(kind for kind in DayKind if kind == self.kind.data)  # one of the choices: the form checked it
        return ListedDay(self.day.data, kind, self.name_zh.data.strip(),
                         (self.name_en.data or "").strip() or None)


class ScheduleForm(KeyedForm):
    text = TextAreaField(_l("The year's schedule, one line per holiday or make-up working day"),
                         validators=[Optional(), Length(max=20000)])
    file = FileField(_l("Or import it from a file (UTF-8 text in the same form)"))
    submit = SubmitField(_l("Save the schedule"))
