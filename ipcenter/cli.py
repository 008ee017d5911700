"""Command-line entry points registered on the app."""
import os
import signal
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from .accounts.models import User
from .extensions import db


@click.command("seed-demo")
@click.option("--first-run", is_flag=True, help="Only add demo data to a database that has no users yet.")
@with_appcontext
def seed_demo_command(first_run):
    """Fill the database with demonstration data (safe to run again); refused in production."""
    from .demo import DEMO_PASSWORD, demo_logins, seed_demo
    from .mail import mail_suppressed

    if current_app.config["ENV_NAME"] == "production":
        # The demo accounts share a published password: in production they would be open doors.
        raise click.ClickException("seed-demo is refused when IPCENTER_ENV=production; "
                                   "make the first manager with `flask users create-manager EMAIL`.")
    if first_run and db.session.scalar(select(func.count(User.id))):
        logins = demo_logins()
        click.echo("The database already has users; no demo data added.")
    else:
        with mail_suppressed():
            logins = seed_demo()
        db.session.commit()
    if logins:
        click.echo(f"Demo logins (every one uses the password {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {email:<30} {role}")


cases_cli = AppGroup("cases", help="Case housekeeping.")


@cases_cli.command("remind")
@click.option("--date", "on_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (YYYY-MM-DD); default: today in Zhongshan.")
def remind_command(on_date):
    """Notify of cases due within one working day and of overdue ones; escalate the overdue (run daily)."""
    from .calendar import center_today
    from .cases.operations import send_reminders
    from .mail import write_queued_mail

    counts = send_reminders(on_date.date() if on_date else center_today())
    db.session.commit()
    write_queued_mail()
    click.echo(f"due within a working day: {counts['due_soon']}, overdue: {counts['overdue']}, "
               f"newly escalated: {counts['escalated']}")


@cases_cli.command("recount-stints")
def recount_stints_command():
    """Count every case's stays at its stages and its turnaround again from the timelines (the dashboard's rows;
    the engine keeps them as it goes: for a database restored or written by other means)."""
    from .cases.stints import CaseTurnaround, StageStint, recount

    recount()
    db.session.commit()
    stints, turnarounds = (db.session.scalar(select(func.count()).select_from(model))
                           for model in (StageStint, CaseTurnaround))
    click.echo(f"stays at stages: {stints}, closed cases: {turnarounds}")


attachments_cli = AppGroup("attachments", help="The attachment files.")


@attachments_cli.command("check")
@click.option("--repair", is_flag=True, help="Move files without a row to a quarantine folder (printed) and "
                                             "finish moves a crash interrupted.")
def check_attachments_command(repair):
    """Report files without a row and rows without a file; exit status 1 if any problem is left."""
    from .cases.attachments import check_files, repair_files
    from .database import utcnow

    found = check_files()
    for path in found.orphans:
        click.echo(f"file without a row: {path}")
    for attachment in found.unmoved:
        click.echo(f"row whose file was never moved into place: {attachment.case.reference} "
                   f"{attachment.original_name} ({attachment.stored_name})")
    for attachment in found.missing:
        click.echo(f"row without a file: {attachment.case.reference} {attachment.original_name} "
                   f"({attachment.stored_name})")
    if repair:
        quarantine = repair_files(found, utcnow())
        if quarantine:
            click.echo(f"{len(found.orphans)} files without a row moved to {quarantine}")
        if found.unmoved:
            click.echo(f"{len(found.unmoved)} files moved into place")
    if found.missing or (not repair and (found.orphans or found.unmoved)):
        raise SystemExit(1)
    if not (found.orphans or found.unmoved):
        click.echo("every file has its row and every row its file")


mail_cli = AppGroup("mail", help="The outgoing mail queue (and the search index queue, drained by the same worker).")


@mail_cli.command("worker")
def mail_worker_command():
    """Send mail and update the search index until stopped (run it under a process manager).

    SIGTERM or Ctrl-C stops it cleanly: the batch under way is finished first.
    """
    from .worker import run_worker

    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    click.echo(f"mail worker started (pid {os.getpid()})")
    run_worker(stop)
    click.echo("mail worker stopped")


@mail_cli.command("retry")
def retry_mail_command():
    """One pass of the worker: send the mail now due, then update the search index (run it from cron)."""
    from .worker import work_once

    click.echo(str(work_once()))


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a backup archive here (and its checksum beside it, as FILE.sha256).")
@click.option("--verify", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check this archive against its checksum and manifest instead.")
@with_appcontext
def backup_command(out, verify):
    """Back up the database and every attachment while the app serves (--out FILE), or check one (--verify)."""
    from .backup import BackupError, verify_backup, write_backup

    if (out is None) == (verify is None):
        raise click.UsageError("give either --out FILE to write a backup or --verify FILE to check one")
    try:
        manifest = verify_backup(verify) if verify else write_backup(out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    click.echo(f"{'verified' if verify else 'written'}: {verify or out} ({manifest['engine']}, "
               f"taken {manifest['created_at']}): {len(manifest['tables'])} tables, {rows} rows, "
               f"{len(manifest['files']) - 1} files")
    if manifest["missing_files"]:
        raise click.ClickException("attachment files missing or damaged on disk when the backup was taken: "
                                   + ", ".join(manifest["missing_files"]))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and upload folder that are not empty "
                                            "(the files already there are moved next to the upload folder).")
@with_appcontext
def restore_command(archive, force):
    """Restore a backup into this (empty) instance, then rebuild the search index."""
    from .backup import BackupError, restore_backup

    try:
        manifest = restore_backup(archive, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if manifest["set_aside"]:
        click.echo(f"the files that were in the upload folder are now in {manifest['set_aside']}")
    click.echo(f"restored {archive} (taken {manifest['created_at']}): {sum(manifest['tables'].values())} rows, "
               f"{len(manifest['files']) - 1} files; the search index was rebuilt")
    if manifest["missing_files"]:
        click.echo("warning: these attachment files were missing or damaged on disk when the backup was taken, and "
                   "are missing or damaged in this instance too: " + ", ".join(manifest["missing_files"]), err=True)
    if manifest["schema_revision"]:
        click.echo(f"the database is at schema revision {manifest['schema_revision']}: "
                   "run `flask db upgrade` if this version of ipcenter is newer")


def register_commands(app) -> None:
    from .accounts.cli import users_cli
    from .audit.cli import audit_cli
    from .dashboard.cli import reports_cli
    from .notifications.cli import notifications_cli
    from .translations_cli import translations_cli
    from .working_calendar.cli import calendar_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(translations_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(attachments_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(notifications_cli)
    from .patents.cli import patents_cli, search_cli

    app.cli.add_command(patents_cli)
    app.cli.add_command(search_cli)
