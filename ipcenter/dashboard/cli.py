"""`flask reports monthly --month 2026-10 --out FILE.xlsx`: the monthly report for cron, as the dashboard gives it."""
from datetime import date, timedelta
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..audit.operations import record_command
from ..calendar import center_today
from ..extensions import db
from .report import report_file
from .scope import Scope

reports_cli = AppGroup("reports", help="The center's reports to its supervising bureau.")


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month; write it as YYYY-MM, e.g. 2026-10.",
                                 param_hint="--month") from None


@reports_cli.command("monthly")
@click.option("--month", "month", required=True, help="The month, as YYYY-MM (e.g. 2026-10).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The file to write: .xlsx or .csv.")
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="The language of the headings.")
def monthly_command(month, out, language):
    """Write MONTH's report (every kind of request, every post) to OUT."""
    first = _month(month)
    file_format = out.suffix.lower().lstrip(".")
    if file_format not in ("xlsx", "csv"):
        raise click.BadParameter(f"{out.name}: the file must end in .xlsx or .csv.", param_hint="--out")
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    with force_locale(language):
        body = report_file(Scope(first=first, last=last, today=center_today()), file_format)
    out.write_bytes(body)
    record_command("center_report.downloaded", "center_report", after={"month": month, "file": str(out)})
    db.session.commit()
    click.echo(f"{month}: report written to {out} ({len(body)} bytes).")
