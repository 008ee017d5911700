"""`flask notifications digest`: the daily digest, from cron at DIGEST_HOUR."""
import click
from flask.cli import AppGroup

from ..mail import write_queued_mail
from .digest import send_digests

notifications_cli = AppGroup("notifications", help="Notifications and their email.")


@notifications_cli.command("digest")
def digest_command():
    """Email each user the day's digest of the notifications they chose to hear of daily (run it daily at
    DIGEST_HOUR; run again the same day, it sends nothing more)."""
    sent = send_digests()
    write_queued_mail()
    click.echo(f"digests sent: {sent}")
