"""Online backup and exact restore of an instance: its database and every attachment file.

A backup is one tar.gz archive holding

    database/ipcenter.sqlite3   SQLite: a copy made by SQLite's backup API
    database/ipcenter.pgdump    PostgreSQL: pg_dump's custom format
    uploads/<xx>/<stored name>  every file that an attachment row of the database snapshot names
                                (generated documents, such as delivered search reports, are attachments too)
    manifest.json               last, as the archive's trailer: the row count of every table in the snapshot
                                and the sha256 and size of every other member; an archive cut short has none

and, beside it, FILE.sha256 (the archive's own checksum, in `sha256sum -c` format). The search index is
not in it: it is derived from the database, and a restore rebuilds it.
"""
import gzip
import hashlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from psycopg.conninfo import make_conninfo
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from .audit.operations import record_command
from .cases.attachments import pending_path, stored_path
from .cases.models import Attachment
from .extensions import db
from .patents.rebuild import rebuild_index
from .private_files import create_private

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_KEYS = {"format", "created_at", "engine", "database", "tables", "files", "missing_files"}
DATABASE_MEMBERS = {"sqlite": "database/ipcenter.sqlite3", "postgresql": "database/ipcenter.pgdump"}
UPLOAD_MEMBER = re.compile(r"uploads/[0-9a-f]{2}/[0-9a-f]{32}")
SCHEMA_TABLE = "alembic_version"  # holds the schema's revision: present in a migrated, otherwise empty database
FILE_WAIT_SECONDS = 5.0
COPY_LINE = re.compile(rb'COPY (?:"?[^".\s]+"?\.)?"?([^"\s]+)"? ')

log = logging.getLogger("ipcenter.backup")
# (stored_name, sha256) of an attachment: `stored_path` reads it as it reads an Attachment, the one type it declares.
AttachmentRow = Any


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def record_backup_event(action: str, archive: Path, **details) -> None:
    """The one place a backup or restore is recorded: in the audit log (a restore's entry lands in the
    restored database; a backup's own entry is never inside that backup) and in the command's log."""
    log.info("%s %s %s", action, archive, json.dumps(details, ensure_ascii=False, sort_keys=True, default=str))
    record_command(f"backup.{action}", "backup", archive.name, after={"file": str(archive), **details})


@dataclass
class Snapshot:
    """The database as of one moment: its copy or dump, and what that moment held."""

    path: Path
    tables: dict[str, int]
    attachments: Sequence[AttachmentRow]
    revision: str | None


# Taking the backup -------------------------------------------------------------------------------------

def write_backup(out: Path) -> dict:
    """Write the archive to `out` (and `out`.sha256) atomically; return its manifest."""
    out = out.absolute()
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work:
        # The database first, then the files. A file is written and closed before its row commits, and a
        # committed file is never changed or removed (fresh random names, opened "xb"); so every row of the
        # snapshot has its whole file on disk when the files are copied afterwards. Only the files the
        # snapshot's rows name are copied: a file whose row commits after the snapshot is left out with its
        # row, and the archive has neither a row without its file nor a file without its row. The reverse
        # order would lose the files of the rows committed between the file copy and the snapshot.
        snapshot = _snapshot_database(Path(work))
        draft = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
        try:
            with create_private(draft) as raw:
                manifest = _write_archive(raw, snapshot)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(draft, out)
        finally:
            draft.unlink(missing_ok=True)
    _write_atomically(checksum_file(out), f"{file_sha256(out)}  {out.name}\n".encode())
    record_backup_event("created", out, tables=manifest["tables"], files=len(manifest["files"]) - 1,
                        missing=manifest["missing_files"])
    return manifest


def _write_archive(raw, snapshot: Snapshot) -> dict:
    engine = db.engine.dialect.name
    members, missing = {}, []
    with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive:
        with open(snapshot.path, "rb") as handle:
            members[DATABASE_MEMBERS[engine]] = _add_file(archive, DATABASE_MEMBERS[engine], handle)
        upload_root = Path(current_app.config["UPLOAD_FOLDER"])
        for row in snapshot.attachments:
            path = stored_path(row)
            handle = _open_committed(path)
            if handle is None:
                missing.append(row.stored_name)
                continue
            name = f"uploads/{path.relative_to(upload_root).as_posix()}"  # its final name, even if still pending
            with handle:
                members[name] = _add_file(archive, name, handle)
            if members[name]["sha256"] != row.sha256:
                missing.append(row.stored_name)  # damaged on disk: kept as it is, and said so
        manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "engine": engine, "database": DATABASE_MEMBERS[engine], "schema_revision": snapshot.revision,
                    "tables": snapshot.tables, "files": members, "missing_files": missing}
        _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return manifest


def _open_committed(path: Path):
    """The committed row's file, open for reading, or None if it is not on disk after a moment's grace.

    It may still be named `<name>.pending`: its writer moves it into place just after the commit, or died
    before it could; either way its content was whole and on disk before the row committed."""
    grace_until = time.monotonic() + FILE_WAIT_SECONDS  # each file its own: a missing one costs the next nothing
    while True:
        for candidate in (path, pending_path(path)):  # a rename between the two is found the next round
            try:
                return open(candidate, "rb")
            except FileNotFoundError:
                pass
        if time.monotonic() > grace_until:
            return None
        time.sleep(0.1)


class _Hashing:
    """A file being read into the archive, hashed on the way."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _add_file(archive: tarfile.TarFile, name: str, handle) -> dict:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = os.fstat(handle.fileno()).st_size, int(time.time()), 0o600
    reader = _Hashing(handle)
    archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(content), int(time.time()), 0o600
    archive.addfile(info, io.BytesIO(content))


def _write_atomically(path: Path, content: bytes) -> None:
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    with create_private(draft) as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(draft, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the renames themselves survive a power cut
    finally:
        os.close(folder)


def checksum_file(archive: Path) -> Path:
    return archive.with_name(f"{archive.name}.sha256")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _snapshot_database(work: Path) -> Snapshot:
    if db.engine.dialect.name == "sqlite":
        return _snapshot_sqlite(work / "ipcenter.sqlite3")
    return _snapshot_postgresql(work / "ipcenter.pgdump")


def _snapshot_sqlite(copy: Path) -> Snapshot:
    source = db.engine.raw_connection()
    try:
        with closing(sqlite3.connect(copy)) as target:
            driver_connection = source.driver_connection
            assert isinstance(driver_connection, sqlite3.Connection), "an SQLite engine connects through sqlite3"
            # One step: the whole copy under one read transaction, a consistent snapshot while writers go on (WAL).
            driver_connection.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        source.close()
    return Snapshot(copy, *_read_copy(copy))


def _read_copy(copy: Path) -> tuple:
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            return _contents(connection)
    finally:
        engine.dispose()


def _snapshot_postgresql(dump: Path) -> Snapshot:
    """pg_dump works from the snapshot this transaction exports, so the counts and files are the dump's own."""
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
            contents = _contents(connection)
            _run_pg_tool("PG_DUMP", "--format=custom", f"--snapshot={snapshot_id}", f"--file={dump}")
    return Snapshot(dump, *contents)


def _contents(connection: Connection) -> tuple[dict[str, int], Sequence[AttachmentRow], str | None]:
    """Row counts per table, the attachment rows and the schema revision, as this connection sees them."""
    names = sorted(inspect(connection).get_table_names())
    counts = {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}
    attachments: Sequence[AttachmentRow] = []
    if Attachment.__tablename__ in names:
        attachments = connection.execute(select(Attachment.stored_name, Attachment.sha256)
                                         .order_by(Attachment.id)).all()
    revision = connection.scalar(text(f"SELECT version_num FROM {SCHEMA_TABLE}")) if SCHEMA_TABLE in names else None
    return counts, attachments, revision


def _pg_command(setting: str, *arguments: str, dbname: bool = True) -> tuple[list[str], dict]:
    """pg_dump or pg_restore (their paths: the settings PG_DUMP, PG_RESTORE), on the app's database if `dbname`."""
    program = shutil.which(current_app.config[setting])
    if program is None:
        raise BackupError(f"{current_app.config[setting]} was not found: install the PostgreSQL client programs "
                          f"of the server's version, or set {setting} to the program's path "
                          f"(e.g. /usr/lib/postgresql/15/bin/{setting.lower()})")
    url = db.engine.url
    command = [program, *arguments]
    if dbname:
        target = {"host": url.host, "port": url.port, "dbname": url.database, "user": url.username, **url.query}
        # Each value as the text make_conninfo writes for it (a parameter the URL repeats is a tuple, which it writes
        # as such and which neither pg_dump nor the app can connect with).
        command.append(f"--dbname={make_conninfo(**{k: str(v) for k, v in target.items() if v is not None})}")
    environment = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}  # not in argv, not in ps
    return command, environment


def _run_pg_tool(setting: str, *arguments: str) -> None:
    command, environment = _pg_command(setting, *arguments)
    finished = subprocess.run(command, env=environment, capture_output=True)
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.decode(errors='replace').strip()}")


# Reading an archive back -------------------------------------------------------------------------------

def verify_backup(archive: Path) -> dict:
    """Check the archive against its checksum and its manifest (members and row counts); return the manifest."""
    with tempfile.TemporaryDirectory(prefix="ipcenter-verify-") as work:
        return _unpack_checked(archive, Path(work), uploads_to=None)


def _unpack_checked(archive: Path, work: Path, uploads_to: Path | None, engine: str | None = None) -> dict:
    """Unpack the database into `work` (and the files into `uploads_to`), refusing anything the manifest denies."""
    _check_archive_checksum(archive)
    manifest = _unpack(archive, work, uploads_to)
    if manifest["format"] != FORMAT:
        raise BackupError(f"{archive} was written by another version of ipcenter (format {manifest['format']})")
    if engine and manifest["engine"] != engine:
        raise BackupError(f"the archive holds a {manifest['engine']} database and this instance uses {engine}: "
                          f"restore it into an instance on {manifest['engine']}")
    _compare(manifest["tables"], _dump_row_counts(manifest, work / Path(manifest["database"]).name),
             "row counts in the database of the archive differ from the manifest")
    return manifest


def _check_archive_checksum(archive: Path) -> None:
    listed = checksum_file(archive)
    if not listed.is_file():
        raise BackupError(f"{listed.name} is missing: the archive's checksum must lie beside it")
    if file_sha256(archive) not in listed.read_text().split()[:1]:
        raise BackupError(f"{archive.name} does not match its checksum in {listed.name}: the file is damaged "
                          "or not the one the checksum was written for")


def _unpack(archive: Path, work: Path, uploads_to: Path | None) -> dict:
    found, manifest = {}, None
    try:
        with tarfile.open(archive, mode="r|gz") as members:
            for member in members:
                content = members.extractfile(member) if member.isfile() else None
                if content is None:
                    raise BackupError(f"{archive.name} holds {member.name!r}, which is not a file")
                if member.name == MANIFEST:
                    manifest = json.loads(content.read())
                    continue
                target = _member_target(member.name, work, uploads_to)
                found[member.name] = _extract(content, target)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as error:
        raise BackupError(f"{archive.name} is not a readable backup archive: {error}") from None
    except OSError as error:
        raise BackupError(f"unpacking {archive.name} failed: {error}") from None
    if not isinstance(manifest, dict) or not MANIFEST_KEYS <= manifest.keys():
        raise BackupError(f"{archive.name} has no manifest ipcenter can read: the archive is incomplete or foreign")
    _compare(manifest["files"], found, "the archive's files differ from its manifest")
    return manifest


def _member_target(name: str, work: Path, uploads_to: Path | None) -> Path | None:
    if name in DATABASE_MEMBERS.values():
        return work / Path(name).name
    if UPLOAD_MEMBER.fullmatch(name):
        return uploads_to / name.removeprefix("uploads/") if uploads_to else None
    raise BackupError(f"the archive holds an unexpected member {name!r}")


def _extract(source, target: Path | None) -> dict:
    reader = _Hashing(source)
    if target is None:
        for _ in iter(lambda: reader.read(1024 * 1024), b""):
            pass
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            shutil.copyfileobj(reader, handle, 1024 * 1024)
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _compare(expected: dict, found: dict, problem: str) -> None:
    differing = sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))
    if differing:
        shown = ", ".join(f"{name} (manifest {expected.get(name)}, found {found.get(name)})" for name in differing[:5])
        raise BackupError(f"{problem}: {shown}{' …' if len(differing) > 5 else ''}")


def _dump_row_counts(manifest: dict, dump: Path) -> dict[str, int]:
    if manifest["engine"] == "sqlite":
        return _read_copy(dump)[0]
    # pg_restore writes the dump's data as COPY blocks, one row a line, without a server; read as a stream.
    command, environment = _pg_command("PG_RESTORE", "--data-only", "--file=-", str(dump), dbname=False)
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=errors) as listing:
            counts = _count_copy_rows(listing.stdout, dict.fromkeys(manifest["tables"], 0))
        if listing.returncode != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore cannot read the dump: {errors.read().decode(errors='replace').strip()}")
    return counts


def _count_copy_rows(lines, counts: dict[str, int]) -> dict[str, int]:
    current = None
    for line in lines:
        if current is None:
            match = COPY_LINE.match(line)
            current = match and match.group(1).decode()
        elif line == b"\\.\n":
            current = None
        else:
            counts[current] = counts.get(current, 0) + 1
    return counts


# Restoring ---------------------------------------------------------------------------------------------

def restore_backup(archive: Path, force: bool = False) -> dict:
    """Restore the archive into this instance (empty, unless `force`), then rebuild the search index."""
    upload_root = Path(current_app.config["UPLOAD_FOLDER"]).absolute()
    engine = db.engine.dialect.name
    occupied = instance_contents(upload_root)
    if occupied and not force:
        raise BackupError(f"this instance is not empty ({'; '.join(occupied)}): a restore replaces everything in "
                          "it, so it is refused; restore into an empty database and upload folder, or give --force")
    staging = upload_root / f".restore-{secrets.token_hex(4)}"
    staging.mkdir(parents=True)  # an archive without files extracts nothing into it
    try:
        with tempfile.TemporaryDirectory(dir=upload_root.parent, prefix=".restore-") as work:
            manifest = _unpack_checked(archive, Path(work), uploads_to=staging, engine=engine)
            set_aside = _set_aside(upload_root, staging) if force else None
            try:
                _restore_database(engine, Path(work) / Path(manifest["database"]).name)
            except BaseException:
                _put_back(set_aside, upload_root)  # the old database stands: so do its files
                raise
        _finish_restore(archive, manifest, staging, upload_root, set_aside)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {**manifest, "set_aside": set_aside}


def _finish_restore(archive: Path, manifest: dict, staging: Path, upload_root: Path, set_aside: Path | None) -> None:
    """Everything after the database was replaced, which cannot be undone: a failure says what the instance holds."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("the files moved into the upload folder", lambda: _move_into_place(staging, upload_root)),
        ("the row counts checked against the manifest", lambda: _check_restored(manifest)),
        ("the search index rebuilt", rebuild_index),
        ("the restore recorded in the audit log",
         lambda: record_backup_event("restored", archive, created_at=manifest["created_at"],
                                     set_aside=set_aside and str(set_aside)))]
    names = [name for name, _ in steps]
    for number, (step, run) in enumerate(steps):
        try:
            run()
        except Exception as error:  # any failure from here on leaves a half-restored instance
            done = ", ".join(["the database replaced by the backup's", *names[:number]])
            kept = f" The files that were in the upload folder are in {set_aside}." if set_aside else ""
            raise BackupError(f"the restore stopped halfway. Done: {done}. Failed: {step} ({error}). Not done: "
                              f"{', '.join(names[number + 1:]) or 'nothing else'}.{kept} The instance is "
                              f"incomplete: remove the cause and run `flask restore --force {archive}` again"
                              ) from error


def _move_into_place(staging: Path, upload_root: Path) -> None:
    for shard in staging.iterdir():  # renames in one file system: the files appear whole or not at all
        os.rename(shard, upload_root / shard.name)


def instance_contents(upload_root: Path) -> list[str]:
    """What is already in this instance: tables with rows, files in the upload folder."""
    try:
        with db.engine.connect() as connection:
            tables = {name: count for name, count in _contents(connection)[0].items() if name != SCHEMA_TABLE}
    except OperationalError as error:
        raise BackupError(f"the database cannot be opened: {error.orig}; create it first "
                          "(PostgreSQL: createdb), empty") from None
    found = []
    filled = [name for name, count in tables.items() if count]
    if filled:
        found.append(f"the database has {sum(tables.values())} rows in {len(filled)} tables")
    if upload_root.is_dir() and any(upload_root.iterdir()):
        found.append(f"the upload folder {upload_root} is not empty")
    return found


def _restore_database(engine: str, dump: Path) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    if engine == "sqlite":
        database = db.engine.url.database
        if not database or database == ":memory:":
            raise BackupError("the app's SQLite database is in memory: a backup can only be restored into a file")
        # Through the backup API, into whatever file is there: all or nothing, and no stale -wal file survives.
        try:
            with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(database)) as target:
                source.backup(target)
        except sqlite3.Error as error:
            raise BackupError(f"the database could not be written ({error}): stop the app while restoring") from None
    else:
        # One transaction: a restore that fails leaves the database as it was. --clean drops what the dump
        # brings (a migrated but empty schema, or with --force the old data) before creating it again; the
        # dump sets every sequence, so new cases get the next numbers.
        _run_pg_tool("PG_RESTORE", "--single-transaction", "--exit-on-error", "--clean", "--if-exists",
                     "--no-owner", "--no-privileges", str(dump))
    db.engine.dispose()


def _set_aside(upload_root: Path, staging: Path) -> Path | None:
    """Move the files already in the upload folder next to it, kept (a forced restore replaces them)."""
    present = [entry for entry in upload_root.iterdir() if entry != staging]
    if not present:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = upload_root.with_name(f"{upload_root.name}.replaced-{stamp}")
    aside.mkdir()
    for entry in present:
        shutil.move(entry, aside / entry.name)
    return aside


def _put_back(set_aside: Path | None, upload_root: Path) -> None:
    if set_aside is not None:
        for entry in set_aside.iterdir():
            shutil.move(entry, upload_root / entry.name)
        set_aside.rmdir()


def _check_restored(manifest: dict) -> None:
    with db.engine.connect() as connection:
        counts = _contents(connection)[0]
    _compare(manifest["tables"], counts, "the restored database's row counts differ from the manifest")
