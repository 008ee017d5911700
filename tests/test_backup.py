"""The center backs up while enterprises submit, and restores the backup into an empty instance exactly."""
import hashlib
import io
import json
import os
import re
import secrets
import stat
import tarfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, inspect, make_url, select, table, text

from ipcenter import create_app
from ipcenter.accounts.models import Role
from ipcenter.audit.models import AuditEntry
from ipcenter.cases.models import Attachment, Case
from ipcenter.cases.workflow import OWNING_POSTS
from ipcenter.config import TestConfig
from ipcenter.extensions import db
from tests.cases.conftest import DETAILS
from tests.conftest import COMPILED_TEMPLATES, PASSWORD, UserClient, make_post, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SUBMITTERS = 5


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def center(app):
    """The posts cases go to, and five enterprises (their addresses) that submit requests."""
    for code in OWNING_POSTS:
        make_post(code=code)
    return [make_user(Role.ENTERPRISE).email for _ in range(SUBMITTERS)]


@pytest.fixture
def empty_instance(db_url, tmp_path):
    """A second instance with nothing in it: its own folders and database (a scratch one on PostgreSQL)."""
    url = make_url(db_url)
    postgres = url.get_backend_name() == "postgresql"
    if postgres:
        url = url.set(database=f"{url.database}_restore")
        _server(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)', f'CREATE DATABASE "{url.database}"')
    else:
        url = url.set(database=str(tmp_path / "restored" / "ipcenter.sqlite3"))
    folder = tmp_path / "restored"
    restored = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False),
                          INSTANCE_PATH=folder, UPLOAD_FOLDER=folder / "uploads", INDEX_FOLDER=folder / "index",
                          MAIL_FOLDER=folder / "mail", SERVER_NAME="ipcenter.test")
    restored.test_client_class = UserClient
    restored.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    yield restored
    with restored.app_context():
        db.engine.dispose()
    if postgres:
        _server(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _server(url, *statements: str) -> None:
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def submit_request(client, files: list[bytes]):
    """An enterprise opens the consultation form, fills it in with files attached and sends it."""
    html = client.get("/cases/new/consultation").get_data(as_text=True)
    tokens = {name: re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)
              for name in ("csrf_token", "submission_token")}
    form = {**{key: value or "" for key, value in DETAILS["consultation"].items()}, **tokens,
            "files": [(io.BytesIO(content), f"吸顶灯{n}.png") for n, content in enumerate(files)]}
    response = client.post("/cases/new/consultation", data=form, content_type="multipart/form-data")
    client.submit("/cases/new/consultation/another", page="/cases/new/consultation")
    return response


def keep_submitting(app, email: str, stop: threading.Event, acknowledged: list) -> None:
    """One enterprise's browser: submit requests with files until told to stop; note each one acknowledged."""
    with app.app_context():
        client = app.test_client()
        client.submit("/login", {"email": email, "password": PASSWORD})
        while not stop.is_set():
            files = [PNG + secrets.token_bytes(40) for _ in range(2)]
            response = submit_request(client, files)
            if response.status_code == 302:
                reference = response.location.rsplit("/", 1)[-1]
                acknowledged.append((time.monotonic(), reference, sorted(map(sha256, files))))
        db.session.remove()


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as members:
        return json.load(members.extractfile("manifest.json"))


def row_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {name: connection.scalar(select(func.count()).select_from(table(name)))
                for name in inspect(connection).get_table_names()}


def restored_counts(archive: Path) -> dict[str, int]:
    """The manifest's row counts, and the restore's own audit entry."""
    tables = manifest_of(archive)["tables"]
    return {**tables, "audit_entries": tables["audit_entries"] + 1}


def stored_files(folder: Path) -> dict[str, str]:
    return {path.name: sha256(path.read_bytes()) for path in folder.rglob("*") if path.is_file()}


def test_a_backup_taken_while_enterprises_submit_restores_every_acknowledged_case_with_its_files(
        app, runner, center, empty_instance, tmp_path):
    catalogue = tmp_path / "patents.jsonl"
    catalogue.write_text(json.dumps({"publication_number": "CN305123456S", "title": "一种LED吸顶灯",
                                     "patent_type": "design"}, ensure_ascii=False) + "\n")
    assert runner.invoke(args=["patents", "import", str(catalogue)]).exit_code == 0
    stop, acknowledged = threading.Event(), []
    submitters = [threading.Thread(target=keep_submitting, args=(app, email, stop, acknowledged))
                  for email in center]
    for submitter in submitters:
        submitter.start()
    while len(acknowledged) < 2 * SUBMITTERS:
        time.sleep(0.05)
    started = time.monotonic()
    archive = tmp_path / "backups" / "ipcenter.tar.gz"
    archive.parent.mkdir()
    taken = runner.invoke(args=["backup", "--out", str(archive)])
    while len([ack for ack in acknowledged if ack[0] > started]) < SUBMITTERS:  # they went on meanwhile
        time.sleep(0.05)
    stop.set()
    for submitter in submitters:
        submitter.join(timeout=60)
    assert taken.exit_code == 0, taken.output
    assert "written:" in taken.output
    backup_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "backup.created")).one()
    assert backup_entry.object_id == "ipcenter.tar.gz" and backup_entry.after["files"] > 0
    assert sorted(path.name for path in archive.parent.iterdir()) == ["ipcenter.tar.gz", "ipcenter.tar.gz.sha256"]
    checked = runner.invoke(args=["backup", "--verify", str(archive)])
    assert checked.exit_code == 0 and "verified:" in checked.output, checked.output

    with empty_instance.app_context():
        restored = empty_instance.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        assert "the search index was rebuilt" in restored.output
        cases = {case.reference: sorted(a.sha256 for a in case.events[0].attachments)
                 for case in db.session.scalars(select(Case))}
        before = [(reference, digests) for moment, reference, digests in acknowledged if moment < started]
        assert before and all(cases.get(reference) == digests for reference, digests in before)
        rows = dict(db.session.execute(select(Attachment.stored_name, Attachment.sha256)).all())
        assert stored_files(Path(empty_instance.config["UPLOAD_FOLDER"])) == rows  # every row its file, no orphan
        restore_entry = db.session.scalars(select(AuditEntry)).all()[-1]
        assert (restore_entry.action, restore_entry.object_id) == ("backup.restored", "ipcenter.tar.gz")
        assert row_counts() == restored_counts(archive)

        search = empty_instance.test_cli_runner().invoke(args=["patents", "search", "ti:吸顶灯"])
        assert "CN305123456" in search.output
        client = empty_instance.test_client()
        client.submit("/login", {"email": center[0], "password": PASSWORD})
        after = submit_request(client, [PNG])
        assert after.status_code == 302  # the restored sequences give new rows fresh ids
        assert int(after.location[-6:]) == max(int(reference[-6:]) for reference in cases) + 1


@pytest.fixture
def backup(app, runner, center, tmp_path):
    """A backup of a center with one request and its files."""
    client = app.test_client()
    client.submit("/login", {"email": center[0], "password": PASSWORD})
    assert submit_request(client, [PNG + b"front", PNG + b"side"]).status_code == 302
    archive = tmp_path / "ipcenter.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    return archive


def assert_still_empty(instance) -> None:
    """Nothing half-restored: no table with rows, no file in the upload folder, no staging left behind."""
    with instance.app_context():
        assert not any(row_counts().values())
    uploads = Path(instance.config["UPLOAD_FOLDER"])
    assert not uploads.exists() or not any(uploads.iterdir())


def restore_into(instance, archive: Path, *options: str):
    with instance.app_context():
        return instance.test_cli_runner().invoke(args=["restore", *options, str(archive)])


def test_a_missing_archive_is_named(runner, empty_instance, tmp_path):
    missing = tmp_path / "nowhere.tar.gz"
    checked = runner.invoke(args=["backup", "--verify", str(missing)])
    assert checked.exit_code == 2 and "does not exist" in checked.output
    restored = restore_into(empty_instance, missing)
    assert restored.exit_code == 2 and "does not exist" in restored.output


def test_an_archive_that_does_not_match_its_checksum_is_refused_before_anything_is_restored(
        runner, backup, empty_instance):
    Path(f"{backup}.sha256").write_text(f"{'0' * 64}  {backup.name}\n")
    checked = runner.invoke(args=["backup", "--verify", str(backup)])
    assert checked.exit_code == 1
    assert "ipcenter.tar.gz does not match its checksum in ipcenter.tar.gz.sha256" in checked.output
    restored = restore_into(empty_instance, backup)
    assert restored.exit_code == 1 and "does not match its checksum" in restored.output
    assert_still_empty(empty_instance)


def test_an_archive_without_its_checksum_is_refused(runner, backup):
    Path(f"{backup}.sha256").unlink()
    checked = runner.invoke(args=["backup", "--verify", str(backup)])
    assert checked.exit_code == 1 and "ipcenter.tar.gz.sha256 is missing" in checked.output


def rewrite_checksum(archive: Path) -> None:
    """What someone might do to 'fix' a copy: a fresh checksum over a damaged archive."""
    Path(f"{archive}.sha256").write_text(f"{sha256(archive.read_bytes())}  {archive.name}\n")


def test_a_corrupt_archive_is_refused_and_nothing_is_half_restored(runner, backup, empty_instance):
    backup.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])  # cut short after some files
    rewrite_checksum(backup)
    checked = runner.invoke(args=["backup", "--verify", str(backup)])
    assert checked.exit_code == 1 and "ipcenter.tar.gz is not a readable backup archive" in checked.output
    restored = restore_into(empty_instance, backup)
    assert restored.exit_code == 1 and "is not a readable backup archive" in restored.output
    assert_still_empty(empty_instance)


def rewritten(archive: Path, edit) -> Path:
    """A copy of the archive with `edit(name, content)` -> (name, content) applied to each member, checksum renewed."""
    copy = archive.with_name("edited.tar.gz")
    with tarfile.open(archive) as original, tarfile.open(copy, "w:gz") as edited:
        for member in original.getmembers():
            member.name, content = edit(member.name, original.extractfile(member).read())
            member.size = len(content)
            edited.addfile(member, io.BytesIO(content))
    rewrite_checksum(copy)
    return copy


def test_a_file_changed_inside_the_archive_is_named(runner, backup, empty_instance):
    changed = []

    def change_a_file(name, content):
        if name.startswith("uploads/") and content.endswith(b"side"):
            changed.append(name)
            return name, content[:-4] + b"back"
        return name, content

    edited = rewritten(backup, change_a_file)
    checked = runner.invoke(args=["backup", "--verify", str(edited)])
    assert checked.exit_code == 1
    assert f"the archive's files differ from its manifest: {changed[0]}" in checked.output
    assert restore_into(empty_instance, edited).exit_code == 1
    assert_still_empty(empty_instance)


def test_a_backup_restores_only_into_the_engine_it_was_taken_from(app, backup, empty_instance):
    engine = "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[engine]
    members = {"sqlite": "database/ipcenter.sqlite3", "postgresql": "database/ipcenter.pgdump"}

    def claim_the_other_engine(name, content):
        if name == "manifest.json":
            manifest = json.loads(content)
            manifest["files"][members[other]] = manifest["files"].pop(members[engine])
            return name, json.dumps({**manifest, "engine": other, "database": members[other]}).encode()
        return (members[other] if name == members[engine] else name), content

    restored = restore_into(empty_instance, rewritten(backup, claim_the_other_engine))
    assert restored.exit_code == 1
    assert f"the archive holds a {other} database and this instance uses {engine}" in restored.output
    assert_still_empty(empty_instance)


def test_a_file_missing_on_disk_is_named_and_the_rest_backed_up(app, runner, backup, empty_instance, monkeypatch,
                                                                 tmp_path):
    monkeypatch.setattr("ipcenter.backup.FILE_WAIT_SECONDS", 0)
    lost = next(path for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if path.is_file())
    lost.unlink()
    archive = tmp_path / "with-a-gap.tar.gz"
    taken = runner.invoke(args=["backup", "--out", str(archive)])
    assert taken.exit_code == 1
    assert f"attachment files missing or damaged on disk when the backup was taken: {lost.name}" in taken.output
    assert manifest_of(archive)["missing_files"] == [lost.name]
    checked = runner.invoke(args=["backup", "--verify", str(archive)])
    assert checked.exit_code == 1 and f"when the backup was taken: {lost.name}" in checked.output
    restored = restore_into(empty_instance, archive)
    assert restored.exit_code == 0, restored.output
    assert ("warning: these attachment files were missing or damaged on disk when the backup was taken, and are "
            f"missing or damaged in this instance too: {lost.name}") in restored.output


def test_a_restore_into_an_instance_in_use_is_refused_unless_forced(app, runner, backup, empty_instance):
    refused = runner.invoke(args=["restore", str(backup)])
    assert refused.exit_code == 1
    assert "this instance is not empty (the database has" in refused.output and "--force" in refused.output

    assert restore_into(empty_instance, backup).exit_code == 0
    again = restore_into(empty_instance, backup)
    assert again.exit_code == 1 and "the upload folder" in again.output
    forced = restore_into(empty_instance, backup, "--force")
    assert forced.exit_code == 0, forced.output
    uploads = Path(empty_instance.config["UPLOAD_FOLDER"])
    kept = next(uploads.parent.glob("uploads.replaced-*"))
    assert f"the files that were in the upload folder are now in {kept}" in forced.output
    assert stored_files(kept) == stored_files(uploads) == stored_files(Path(app.config["UPLOAD_FOLDER"]))
    with empty_instance.app_context():
        assert row_counts() == restored_counts(backup)


def test_backup_asks_for_one_of_its_two_options(runner, tmp_path):
    neither = runner.invoke(args=["backup"])
    assert neither.exit_code == 2 and "give either --out FILE to write a backup or --verify FILE" in neither.output
    nowhere = runner.invoke(args=["backup", "--out", str(tmp_path / "absent" / "b.tar.gz")])
    assert nowhere.exit_code == 1 and f"the folder {tmp_path / 'absent'} does not exist" in nowhere.output


def test_without_pg_dump_the_backup_says_which_setting_names_it(app, runner, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("pg_dump backs up PostgreSQL only")
    app.config["PG_DUMP"] = str(tmp_path / "no-such-pg_dump")
    taken = runner.invoke(args=["backup", "--out", str(tmp_path / "b.tar.gz")])
    assert taken.exit_code == 1
    assert f"{tmp_path / 'no-such-pg_dump'} was not found" in taken.output and "set PG_DUMP" in taken.output
    assert not [path for path in tmp_path.iterdir() if path.name.startswith((".", "b.tar.gz"))]  # nor a part of one


def test_a_center_without_any_file_restores_whole(app, runner, center, empty_instance, tmp_path):
    catalogue = tmp_path / "patents.jsonl"
    catalogue.write_text(json.dumps({"publication_number": "CN305123456S", "title": "一种LED吸顶灯",
                                     "patent_type": "design"}, ensure_ascii=False) + "\n")
    assert runner.invoke(args=["patents", "import", str(catalogue)]).exit_code == 0
    client = app.test_client()
    client.submit("/login", {"email": center[0], "password": PASSWORD})
    assert submit_request(client, []).status_code == 302
    archive = tmp_path / "no-files.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    assert len(manifest_of(archive)["files"]) == 1  # the database alone

    restored = restore_into(empty_instance, archive)
    assert restored.exit_code == 0, restored.output
    assert "0 files; the search index was rebuilt" in restored.output
    with empty_instance.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
        assert row_counts() == restored_counts(archive)
        restore_entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[-1]
        assert (restore_entry.action, restore_entry.object_id) == ("backup.restored", "no-files.tar.gz")
        search = empty_instance.test_cli_runner().invoke(args=["patents", "search", "ti:吸顶灯"])
        assert "CN305123456" in search.output


def test_a_restore_that_fails_after_the_database_says_what_the_instance_holds(backup, empty_instance, monkeypatch):
    def index_disk_full():
        raise OSError("No space left on device")

    monkeypatch.setattr("ipcenter.backup.rebuild_index", index_disk_full)
    restored = restore_into(empty_instance, backup)
    assert restored.exit_code == 1
    assert ("the restore stopped halfway. Done: the database replaced by the backup's, the files moved into the "
            "upload folder, the row counts checked against the manifest. Failed: the search index rebuilt (No space "
            "left on device). Not done: the restore recorded in the audit log. The instance is incomplete: remove "
            f"the cause and run `flask restore --force {backup}` again") in restored.output


def test_a_backup_and_its_checksum_are_readable_by_their_owner_only(runner, backup, tmp_path):
    previous = os.umask(0o022)  # a host whose default makes new files readable by every user
    try:
        archive = tmp_path / "private.tar.gz"
        assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds password hashes and unpublished designs
    assert stat.S_IMODE(Path(f"{archive}.sha256").stat().st_mode) == 0o600


def test_a_file_whose_writer_died_before_moving_it_into_place_is_backed_up_under_its_final_name(
        app, runner, backup, empty_instance, tmp_path):
    """The process died between the commit and the move: the row is committed, the file still `<name>.pending`."""
    uploads = Path(app.config["UPLOAD_FOLDER"])
    unmoved = next(path for path in uploads.rglob("*") if path.is_file())
    unmoved.rename(unmoved.with_name(f"{unmoved.name}.pending"))
    archive = tmp_path / "with-a-pending-file.tar.gz"
    taken = runner.invoke(args=["backup", "--out", str(archive)])
    assert taken.exit_code == 0, taken.output
    manifest = manifest_of(archive)
    assert manifest["missing_files"] == []
    assert f"uploads/{unmoved.relative_to(uploads).as_posix()}" in manifest["files"]
    assert restore_into(empty_instance, archive).exit_code == 0
    with empty_instance.app_context():
        rows = dict(db.session.execute(select(Attachment.stored_name, Attachment.sha256)).all())
    assert stored_files(Path(empty_instance.config["UPLOAD_FOLDER"])) == rows


def stored_path_of(app, stored_name: str) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / stored_name[:2] / stored_name


def test_each_file_gets_its_own_moment_of_grace(app, runner, backup, monkeypatch, tmp_path):
    """The first file is lost; the second's writer moves it into place only after the first one's grace is over."""
    first, second = [stored_path_of(app, name) for name in
                     db.session.scalars(select(Attachment.stored_name).order_by(Attachment.id))]
    first.unlink()
    late = second.rename(second.with_name(f"{second.name}.moving"))  # neither final nor pending yet
    clock = [0.0]

    def sleep(seconds):
        clock[0] += seconds
        if clock[0] >= 1.5 and late.exists():
            late.rename(second)

    monkeypatch.setattr("ipcenter.backup.time", SimpleNamespace(monotonic=lambda: clock[0], sleep=sleep,
                                                                time=time.time))
    monkeypatch.setattr("ipcenter.backup.FILE_WAIT_SECONDS", 1.0)
    archive = tmp_path / "late.tar.gz"
    taken = runner.invoke(args=["backup", "--out", str(archive)])
    assert taken.exit_code == 1
    assert manifest_of(archive)["missing_files"] == [first.name]
