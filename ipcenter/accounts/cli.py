"""`flask users ...`: accounts made from the command line."""
import sys

import click
from flask.cli import AppGroup
from flask_babel import force_locale

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create-manager")
@click.argument("email")
@click.option("--name", help="The name shown in the app; default: the part of the email before the @.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def create_manager_command(email, name, password_stdin):
    """Create a center manager account (the way to make the first one in production)."""
    from ..extensions import db
    from .forms import ManagerAccountForm
    from .models import Role
    from .operations import create_user

    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    with force_locale("en"):
        form = ManagerAccountForm(email=email, password=password, confirm=password)
        if not form.validate():
            problems = "; ".join(f"{form[field].label.text}: {' '.join(map(str, errors))}"
                                 for field, errors in form.errors.items())
            raise click.ClickException(problems)
    user = create_user(form.email.data, name or form.email.data.split("@")[0], Role.MANAGER, password=password,
                       language="zh")
    db.session.commit()
    click.echo(f"Center manager {user.email} created; log in with this password.")
