"""Command-line entry points registered on the app."""
import click
from flask.cli import with_appcontext

from .extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill the database with demonstration data (safe to run again)."""
    from .demo import DEMO_PASSWORD, seed_demo

    logins = seed_demo()
    db.session.commit()
    click.echo(f"Demo data ready. Every demo account uses the password: {DEMO_PASSWORD}")
    for role, email in logins:
        click.echo(f"  {role:<28} {email}")


def register_commands(app) -> None:
    from .translations_cli import translations_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(translations_cli)
