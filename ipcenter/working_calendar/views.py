"""The calendar page of a year: staff read it; managers enter its schedule, a day at a time or the whole year."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ..calendar import center_today, kept_by_center, known_to_package
from ..cases.operations import CaseChanged
from ..extensions import db
from ..permissions import can, requires
from ..submission_keys import sent_once
from .forms import DayForm, ScheduleForm
from .models import FIRST_YEAR, LAST_YEAR, CalendarYear
from .notice import ScheduleRefused, read_schedule, runs, schedule_text, written_schedule
from .operations import add_day, remove_days, replace_schedule, whole_year_first, year_schedule
from .queries import month_weeks

bp = Blueprint("working_calendar", __name__, url_prefix="/calendar")


@bp.route("/")
@requires("calendar.view")
def this_year():
    return redirect(url_for("working_calendar.show_year", year=center_today().year))


@bp.route("/<int:year>")
@requires("calendar.view")
def show_year(year):
    return _year_page(_in_range(year), DayForm(formdata=None), ScheduleForm(formdata=None))


@bp.route("/<int:year>/days", methods=["POST"])
@requires("calendar.edit")
@sent_once(by_fields=False)
def add(year):
    form = DayForm()
    if form.validate_on_submit():
        try:
            return _saved(year, add_day(_in_range(year), form.listed_day(), current_user))
        except ScheduleRefused as refusal:
            getattr(form, refusal.field or "day").errors.append(str(refusal))
    return _year_page(year, form, ScheduleForm(formdata=None)), 400


@bp.route("/<int:year>/days/<first>/remove", methods=["POST"])
@bp.route("/<int:year>/days/<first>/<last>/remove", methods=["POST"])
@requires("calendar.edit")
def remove(year, first, last=None):
    try:
        first_day, last_day = date.fromisoformat(first), date.fromisoformat(last or first)
    except ValueError:
        abort(404)
    return _saved(year, remove_days(_in_range(year), first_day, last_day, current_user))


@bp.route("/<int:year>/schedule", methods=["POST"])
@requires("calendar.edit")
@sent_once(by_fields=False)
def save_schedule(year):
    form = ScheduleForm()
    if form.validate_on_submit():
        upload = form.file.data
        field = form.file if upload else form.text
        try:
            text = schedule_text(upload.read()) if upload else form.text.data or ""
            days = read_schedule(text, _in_range(year))[1]
            return _saved(year, replace_schedule(year, days, current_user,
                                                 file_name=upload.filename if upload else None))
        except ScheduleRefused as refusal:
            field.errors.extend(str(each) for each in refusal.each())
    return _year_page(year, DayForm(formdata=None), form), 400


@bp.errorhandler(CaseChanged)
def _case_changed(refusal):
    """A case moved on while its due date was being counted again: nothing of the change is kept."""
    db.session.rollback()
    flash(str(refusal), "danger")
    return redirect(url_for("working_calendar.show_year", year=request.view_args["year"]))


def _in_range(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


def _saved(year: int, moved) -> object:
    if moved is None:
        flash(_("Nothing changed."), "info")
    elif not moved:
        flash(_("The calendar of %(year)s is saved; no open case’s due date moved.", year=year), "success")
    else:
        flash(ngettext("The calendar of %(year)s is saved; the due date of %(num)d open case moved.",
                       "The calendar of %(year)s is saved; the due dates of %(num)d open cases moved.",
                       len(moved), year=year), "success")
    return redirect(url_for("working_calendar.show_year", year=year))


def _year_page(year: int, day_form: DayForm, schedule_form: ScheduleForm):
    schedule = year_schedule(year)
    if can(current_user, "calendar.edit") and schedule_form.text.data is None:
        schedule_form.text.data = written_schedule(schedule)
    return render_template("calendar/year.html", year=year, runs=runs(schedule), months=month_weeks(year, schedule),
                           weekdays=[format_date(date(2024, 1, 1 + n), "EEE") for n in range(7)],  # Mon 1 Jan
                           kept=db.session.get(CalendarYear, year) if kept_by_center(year) else None,
                           packaged=known_to_package(year), whole_year_first=whole_year_first(year),
                           day_form=day_form, schedule_form=schedule_form)
