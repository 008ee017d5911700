"""`flask calendar import FILE`: a year's official schedule from a text file (the format of `notice.py`)."""
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..extensions import db
from .models import FIRST_YEAR, LAST_YEAR
from .notice import ScheduleRefused, read_schedule, schedule_text, written_schedule
from .operations import replace_schedule, year_schedule

calendar_cli = AppGroup("calendar", help="The working calendar: each year's holidays and make-up working days.")


@calendar_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR),
              help="The year the file must list (default: the year of its first date).")
def import_command(file, year):
    """Replace a year's schedule by the FILE's (UTF-8 or GB18030; nothing is saved if a line is wrong)."""
    try:
        year, days = read_schedule(schedule_text(file.read_bytes()), year)
    except ScheduleRefused as refusal:
        with force_locale("en"):  # as every command speaks
            raise click.ClickException("\n".join(f"{file}:{each.line}: {each.message}" if each.line
                                                  else f"{file}: {each.message}" for each in refusal.each())) from None
    moved = replace_schedule(year, days, None, file_name=file.name)
    db.session.commit()
    if moved is None:
        click.echo(f"{year}: the schedule kept already; nothing changed.")
        return
    holidays = sum(1 for listed in days if listed.kind.name == "HOLIDAY")
    click.echo(f"{year}: {holidays} holidays and {len(days) - holidays} make-up working days saved; "
               f"due dates moved on {len(moved)} open cases.")
    for reference, (old, new) in moved.items():
        click.echo(f"  {reference}: {old.isoformat()} -> {new.isoformat()}")


@calendar_cli.command("export")
@click.argument("year", type=click.IntRange(FIRST_YEAR, LAST_YEAR))
def export_command(year):
    """Print a year's schedule in the form `calendar import` reads (the center's, else the package's)."""
    click.echo(written_schedule(year_schedule(year)), nl=False)
