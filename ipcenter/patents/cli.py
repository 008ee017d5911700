"""`flask patents ...` (import, search) and `flask search ...` (the index)."""
import json
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
    from .index import IndexUnavailable, index_sync_deferred, open_index

    try:
        file_format = file_format or detect_format(file)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    try:
        open_index()  # before storing anything: records imported into a lost index would be searched wrong
    except IndexUnavailable as problem:
        raise click.ClickException(f"nothing imported: {problem}") from None
    started, size = time.monotonic(), file.stat().st_size
    with click.progressbar(length=size, label=f"Importing {file.name}", show_eta=True, show_percent=True,
                           item_show_func=lambda rate: rate, file=sys.stderr) as bar:
        def progress(consumed):
            elapsed = max(time.monotonic() - started, 1e-6)
            bar.update(consumed - bar.pos, f"{consumed / elapsed / 1e6:.1f} MB/s")
        with index_sync_deferred():  # one index update at the end, not one per batch
            summary = import_patents(file, file_format, progress)
    _sync_with_progress()
    for position, reason in summary.errors:
        click.echo(f"error at {position}: {reason}", err=True)
    click.echo(f"added {summary.added}, updated {summary.updated}, unchanged {summary.skipped}, "
               f"errors {len(summary.errors)} ({time.monotonic() - started:.1f} s)")


def _sync_with_progress() -> None:
    from .index import IndexUnavailable, pending_count, sync_index

    pending = pending_count()
    if pending:
        with click.progressbar(length=pending, label="Updating the search index", show_eta=True,
                               file=sys.stderr) as bar:
            try:
                sync_index(lambda done: bar.update(done - bar.pos))
            except IndexUnavailable as problem:  # the records are stored and stay queued
                raise click.ClickException(f"{problem} ({pending} changes stay queued)") from None


@patents_cli.command("search")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--similar", is_flag=True, help="Treat QUERY as a description and find the closest patents.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def search_command(query, limit, similar, as_json):
    """Search the collection in the query language (see /patents/help), as center staff would."""
    from .index import IndexUnavailable
    from .query import QueryError, display_width
    from .search import ALL_RECORDS, search_patents, similar_patents

    find = similar_patents if similar else search_patents
    try:
        results = find(ALL_RECORDS, query, per_page=limit, facets=False)
    except QueryError as error:
        line, before = error.pointer(query)
        raise click.UsageError(f"{error.message}\n  {line}\n  {' ' * display_width(before)}^") from None
    except IndexUnavailable as problem:
        raise click.ClickException(str(problem)) from None
    for hit in results.hits:
        patent = hit.patent
        if as_json:
            click.echo(json.dumps({"publication_number": patent.display_number, "title": patent.title,
                                   "patent_type": patent.patent_type, "applicants": patent.values("applicants"),
                                   "publication_date": patent.publication_date and patent.publication_date.isoformat(),
                                   "score": round(hit.score, 4)}, ensure_ascii=False))
        else:
            click.echo(f"{patent.display_number:<16} {patent.publication_date or '':<10}  {patent.title}")
    if not as_json:
        click.echo(f"{results.total} found, {len(results.hits)} shown", err=True)


search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild")
@click.option("--processes", default=2, show_default=True, type=click.IntRange(1, 16))
def rebuild_command(processes):
    """Rebuild the index from the database (searches go on meanwhile)."""
    from sqlalchemy import func, select

    from ..extensions import db
    from .models import Patent
    from .rebuild import RebuildFailed, rebuild_index

    total = db.session.scalar(select(func.count(Patent.id)))
    started = time.monotonic()
    with click.progressbar(length=total, label="Indexing patents", show_eta=True, file=sys.stderr) as bar:
        try:
            count = rebuild_index(lambda done: bar.update(done - bar.pos), processes=processes)
        except RebuildFailed as failure:
            raise click.ClickException(str(failure)) from None
    elapsed = time.monotonic() - started
    click.echo(f"indexed {count} patents in {elapsed:.1f} s ({count / max(elapsed, 1e-6):.0f}/s)")


@search_cli.command("sync")
def sync_command():
    """Apply changes still queued for the index (after a crash, say)."""
    _sync_with_progress()
    click.echo("the index is up to date with the queue")


@search_cli.command("check")
def check_command():
    """Report every difference between the index and the database; exit status 1 if there is one."""
    from .index import IndexUnavailable, check_index

    try:
        differences = check_index()
    except IndexUnavailable as problem:
        raise click.ClickException(str(problem)) from None
    for kind, numbers in differences.items():
        if numbers:
            shown = ", ".join(numbers[:20]) + (" …" if len(numbers) > 20 else "")
            click.echo(f"{kind} ({len(numbers)}): {shown}")
    if any(differences.values()):
        raise SystemExit(1)
    click.echo("the index matches the database")
