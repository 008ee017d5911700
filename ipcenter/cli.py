"""Command-line entry points registered on the app."""
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
    from .cases.operations import send_reminders
    from .cases.working_days import center_today
    from .mail import deliver_queued_mail

    counts = send_reminders(on_date.date() if on_date else center_today())
    db.session.commit()
    deliver_queued_mail()
    click.echo(f"due within a working day: {counts['due_soon']}, overdue: {counts['overdue']}, "
               f"newly escalated: {counts['escalated']}")


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


mail_cli = AppGroup("mail", help="The outgoing mail queue.")


@mail_cli.command("retry")
def retry_mail_command():
    """Send again the messages that failed before (run it from cron every few minutes)."""
    from .mail import retry_pending_mail

    sent, failing = retry_pending_mail()
    click.echo(f"sent: {sent}, still failing: {failing}")


def register_commands(app) -> None:
    from .accounts.cli import users_cli
    from .translations_cli import translations_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(translations_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(attachments_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(users_cli)
    from .patents.cli import patents_cli, search_cli

    app.cli.add_command(patents_cli)
    app.cli.add_command(search_cli)
