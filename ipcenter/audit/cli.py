"""`flask audit prune`: the only way entries leave the audit log."""
from datetime import datetime

import click
from flask.cli import AppGroup

from ..calendar import center_today
from ..extensions import db
from .operations import PruneRefused, prune_entries, retention_limit

audit_cli = AppGroup("audit", help="The audit log.")


def _date(value: str | None):
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-01-01.",
                                 param_hint="--before") from None


@audit_cli.command("prune")
@click.option("--before", help="Archive the entries made before this date (YYYY-MM-DD, the center's time zone); "
                               "default: the latest date AUDIT_RETENTION_DAYS allows.")
def prune_command(before):
    """Move old entries into a gzip JSON-lines archive in the instance folder, and record the prune."""
    today = center_today()
    cutoff = _date(before) or retention_limit(today)
    try:
        pruned = prune_entries(cutoff, today)
    except PruneRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    try:
        db.session.commit()
    except Exception:
        if pruned.archive is not None:  # the entries stay in the table: no archive may claim them
            pruned.archive.unlink()
        raise
    if pruned.archive is None:
        click.echo(f"No entry before {cutoff.isoformat()}; nothing archived (the prune is recorded).")
    else:
        click.echo(f"Archived {pruned.archived} entries made before {cutoff.isoformat()} to {pruned.archive}")
