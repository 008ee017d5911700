"""The dashboard's filters: the period, the kind of request, the post; and the manager's thresholds."""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, Regexp, StopValidation, ValidationError

from ..calendar import center_today
from ..cases.agenda import QUIET
from ..cases.workflow import CASE_TYPES
from ..i18n import localized_name
from ..list_filters import FilterForm
from .figures import WEEKS
from .scope import Scope

LONGEST_PERIOD = timedelta(days=366 * 5)
FAILURE_THRESHOLD = 50  # per cent: the province suspends an enterprise whose failure rate exceeds half


EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def last_month() -> str:
    """The month before this one, as YYYY-MM: the monthly report most often asked for."""
    return (center_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def a_number(form, field) -> None:
    """Stop at what is not a whole number: WTForms has said so, and the range would only say it again."""
    if field.process_errors:
        raise StopValidation()


def within_reach(form, field) -> None:
    """A date the center's figures can be about (the calendar counts the years 2000 to 2099)."""
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Choose a date from 2000 to 2099."))


def month_within_reach(form, field) -> None:
    if not field.errors and not EARLIEST.year <= int(field.data[:4]) <= LATEST.year:
        raise ValidationError(_l("Choose a month from 2000 to 2099."))


class DashboardForm(FilterForm):
    """Read from the address (a GET form: bookmarkable, no token)."""

    month = StringField(_l("Month"), validators=[Optional(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l(
        "Give a month as year and month, e.g. 2026-10.")), month_within_reach])
    first = DateField(_l("From"), validators=[Optional(), within_reach])
    last = DateField(_l("To"), validators=[Optional(), within_reach])
    type = SelectField(_l("Kind of request"), default="")
    post = SelectField(_l("Post"), default="")
    failure = IntegerField(_l("Highlight refusal rates above (per cent)"), default=FAILURE_THRESHOLD,
                           validators=[Optional(), a_number, NumberRange(0, 100)])
    quiet = IntegerField(_l("Units quiet after (working days)"), default=QUIET,
                         validators=[Optional(), a_number, NumberRange(1, 250)])

    def __init__(self, formdata, posts, every_post: bool):
        super().__init__(formdata)
        self.posts = {str(post.id): post for post in posts}
        self.every_post = every_post
        self.type.choices = [("", _l("Every kind of request"))] + [(c, t.name) for c, t in CASE_TYPES.items()]
        everything = _l("Every post") if every_post else _l("All my posts")
        self.post.choices = [("", everything)] + [(key, localized_name(post)) for key, post in self.posts.items()]

    def validate_first(self, field) -> None:
        if field.data is None or (self.last.raw_data and self.last.raw_data[0]):
            return  # not a date (said already), or a given end, checked against the start beside it
        if field.data > center_today():
            raise ValidationError(_l("Without an end the period ends today: choose a start no later than today."))

    def validate_last(self, field) -> None:
        first, last = self.first.data, field.data or center_today()
        if first and last < first:
            raise ValidationError(_l("The period ends before it starts: choose a later end."))
        if first and last - first > LONGEST_PERIOD:
            raise ValidationError(_l("Choose a period of at most five years."))

    def scope(self) -> Scope:
        """What the filters select: a month if one is given, else the period (by default the last WEEKS weeks)."""
        today = center_today()
        last = self.last.data or today
        first = self.first.data or last - timedelta(days=last.weekday(), weeks=WEEKS - 1)
        if self.month.data:
            first = date(int(self.month.data[:4]), int(self.month.data[5:]), 1)
            last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        chosen = self.posts.get(self.post.data or "")
        posts = (chosen,) if chosen else (None if self.every_post else tuple(self.posts.values()))
        return Scope(first=first, last=last, today=today, case_type=self.type.data or None, posts=posts)

    @property
    def failure_threshold(self) -> float:
        return (self.failure.data if self.failure.data is not None else FAILURE_THRESHOLD) / 100

    @property
    def quiet_days(self) -> int:
        return self.quiet.data or QUIET
