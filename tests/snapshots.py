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
from sqlalchemy import func, inspect, select, text

from ipcenter.extensions import db

FOLDERS = ("UPLOAD_FOLDER", "INDEX_FOLDER")


@dataclass
class Snapshot:
    rows: dict[str, list[dict]]
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
    return not any(db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables)


def _take(app: Flask, value: Any) -> Snapshot:
    rows = {table.name: [dict(row) for row in db.session.execute(select(table)).mappings()]
            for table in db.metadata.sorted_tables}
    folders = Path(tempfile.mkdtemp(prefix="ipcenter-snapshot-"))
    for setting in FOLDERS:
        if Path(app.config[setting]).exists():
            shutil.copytree(app.config[setting], folders / setting)
    return Snapshot({name: table_rows for name, table_rows in rows.items() if table_rows}, folders, _detach(value))


def _restore(snapshot: Snapshot, app: Flask) -> Any:
    with db.engine.begin() as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:  # rows go in table order; the replica role also spares the per-row trigger checks
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in db.metadata.sorted_tables:
            if table.name in snapshot.rows:
                connection.execute(table.insert(), snapshot.rows[table.name])
                if postgresql:
                    _continue_sequence(connection, table)
    for setting in FOLDERS:
        if (snapshot.folders / setting).exists():
            shutil.copytree(snapshot.folders / setting, app.config[setting], dirs_exist_ok=True)
    return _attach(snapshot.value)


def _continue_sequence(connection, table) -> None:
    """New rows take the next number after the restored ones, as they would after real inserts."""
    for column in table.primary_key.columns:
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                     {"table": table.name, "column": column.name})
        if sequence:
            connection.execute(text(f'SELECT setval(:sequence, (SELECT max("{column.name}") FROM "{table.name}"))'),
                               {"sequence": sequence})


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
