"""`flask translations update`: bring the zh and en catalogs in step with the code."""
import subprocess
import sys

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from .config import PROJECT_ROOT

CATALOGS = PROJECT_ROOT / "ipcenter" / "translations"
translations_cli = AppGroup("translations", help="Keep the translation catalogs up to date.")


def _extract_template():
    template = CATALOGS / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "_ln:1,2", "-k", "lazy_ngettext:1,2", "--no-location", "--sort-output",
                    "-o", str(template), "."],
                   cwd=PROJECT_ROOT, check=True, capture_output=True)
    return read_po(template.open("rb"))


def _merge(template, language: str):
    """Keep existing translations, add new strings, drop ones the code no longer uses."""
    path = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    catalog = read_po(path.open("rb"), locale=language)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    if language == "en":  # the code's own strings are English
        for message in catalog:
            if message.id and not is_translated(message):
                message.string = message.id
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, width=100)
    return [message.id for message in catalog if message.id and not is_translated(message)]


def is_translated(message) -> bool:
    """Every form translated: a plural message has one string per plural form of the language."""
    return all(message.string) if isinstance(message.string, tuple) else bool(message.string)


@translations_cli.command("update")
def update_command():
    """Extract the strings, merge them into each catalog and list what still needs translating."""
    template = _extract_template()
    for language in ("zh", "en"):
        missing = _merge(template, language)
        click.echo(f"{language}: {len(missing)} untranslated")
        for message_id in missing:
            click.echo(f"  {message_id}")
