"""What an expensive fixture built, kept once per test process and put back for each test that asks.

Fixtures that seed a center, a patent collection or the whole demo built the same rows and files
for every test: hundreds of ORM inserts, and for patents the index writer too. Now the first test
in a process builds them for real; the snapshot then holds every row and the app's files, and each
later test gets them back with one multi-row INSERT per table and a copy of the folders. A fixture
asked for after the test has written rows of its own is built for real, as before.
"""
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import inspect, select, text

from ipcenter.extensions import db

FOLDERS = ("UPLOAD_FOLDER", "INDEX_FOLDER")


@dataclass
class Snapshot:
    rows: dict[str, list[dict]]
    sequences: str  # PostgreSQL: the statement that moves each sequence past the restored rows
    folders: Path
    value: Any  # what the fixture returned, with each database object as (class, primary key)


_taken: dict[str, Snapshot] = {}


def built_once(name: str, app: Flask, build: Callable[[], Any]) -> Any:
    """`build()`'s result: built and snapshotted on first use in this process, restored afterwards."""
    db.session.commit()
    if not _database_is_empty():
        return build()
    if name in _taken:
        return _restore(_taken[name], app)
    value = build()
    db.session.commit()
    _taken[name] = _take(app, value)
    return value


def _database_is_empty() -> bool:
    any_rows = " OR ".join(f'EXISTS (SELECT 1 FROM "{table.name}")' for table in db.metadata.sorted_tables)
    return not db.session.scalar(text(f"SELECT {any_rows}"))


def _take(app: Flask, value: Any) -> Snapshot:
    rows = {table.name: [dict(row) for row in db.session.execute(select(table)).mappings()]
            for table in db.metadata.sorted_tables}
    folders = Path(tempfile.mkdtemp(prefix="ipcenter-snapshot-"))
    for setting in FOLDERS:
        if Path(app.config[setting]).exists():
            shutil.copytree(app.config[setting], folders / setting)
    rows = {name: table_rows for name, table_rows in rows.items() if table_rows}
    return Snapshot(rows, _sequences_after(rows), folders, _detach(value))


def _restore(snapshot: Snapshot, app: Flask) -> Any:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # the replica role spares the per-row trigger checks
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in db.metadata.sorted_tables:
            if table.name in snapshot.rows:
                connection.execute(table.insert(), snapshot.rows[table.name])
        if snapshot.sequences:
            connection.exec_driver_sql(snapshot.sequences)
    for setting in FOLDERS:
        if (snapshot.folders / setting).exists():
            shutil.copytree(snapshot.folders / setting, app.config[setting], dirs_exist_ok=True)
    return _attach(snapshot.value)


def _sequences_after(rows: dict[str, list[dict]]) -> str:
    """On PostgreSQL, new rows must take the next number after the restored ones, as after real inserts."""
    if db.engine.dialect.name != "postgresql":
        return ""
    moves = []
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns if table.name in rows else ():
            sequence = db.session.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                         {"table": table.name, "column": column.name})
            if sequence:
                moves.append(f"""setval('{sequence}', {max(row[column.name] for row in rows[table.name])})""")
    return f"SELECT {', '.join(moves)}" if moves else ""


def _detach(value: Any) -> Any:
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**_detach(vars(value)))
    if isinstance(value, dict):
        return {key: _detach(member) for key, member in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_detach(member) for member in value)
    if hasattr(value, "__mapper__"):
        return _Stored(type(value), inspect(value).identity)
    return value


def _attach(value: Any) -> Any:
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**_attach(vars(value)))
    if isinstance(value, dict):
        return {key: _attach(member) for key, member in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_attach(member) for member in value)
    if isinstance(value, _Stored):
        return db.session.get(value.model, value.identity)
    return value


@dataclass(frozen=True)
class _Stored:
    model: type
    identity: tuple
