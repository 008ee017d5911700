"""`flask patents ...`: importing the collection."""
import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup

patents_cli = AppGroup("patents", help="The patent collection.")


@patents_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["uspto", "jsonl", "csv"]),
              help="Default: judged from the file's name and first bytes.")
def import_command(file, file_format):
    """Import patent records from USPTO XML (single or bulk), JSON Lines or CSV."""
    from .importers import detect_format, import_patents

    try:
        file_format = file_format or detect_format(file)
    except ValueError as error:
        raise click.UsageError(str(error))
    started, size = time.monotonic(), file.stat().st_size
    with click.progressbar(length=size, label=f"Importing {file.name}", show_eta=True, show_percent=True,
                           item_show_func=lambda rate: rate, file=sys.stderr) as bar:
        def progress(consumed):
            elapsed = max(time.monotonic() - started, 1e-6)
            bar.update(consumed - bar.pos, f"{consumed / elapsed / 1e6:.1f} MB/s")
        summary = import_patents(file, file_format, progress)
    for position, problem in summary.errors:
        click.echo(f"error at {position}: {problem}", err=True)
    click.echo(f"added {summary.added}, updated {summary.updated}, unchanged {summary.skipped}, "
               f"errors {len(summary.errors)} ({time.monotonic() - started:.1f} s)")
