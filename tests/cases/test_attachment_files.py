"""No orphan files: a file takes its name only once its row is committed; `flask attachments check` finds the rest."""
import io
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ipcenter.cases.attachments import PENDING, check_files, repair_files, store_attachment, stored_path
from ipcenter.cases.models import Attachment
from ipcenter.extensions import db
from tests.cases.conftest import make_case

PDF = b"%PDF-1.4\n" + b"0" * 200


def files_in(app) -> list[str]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def upload(case, name="图纸.pdf", body=PDF) -> Attachment:
    return store_attachment(case, case.events[0], case.submitter, FileStorage(io.BytesIO(body), name))


def note_with_file(client, case):
    return client.submit(f"/cases/{case.reference}/notes", {"comment": "附件", "files": [(io.BytesIO(PDF), "a.pdf")]},
                         page=f"/cases/{case.reference}", content_type="multipart/form-data")


def test_a_file_keeps_a_temporary_name_until_its_row_is_committed(app, center):
    case = make_case(center)
    attachment = upload(case)
    db.session.flush()
    assert files_in(app) == [f"{attachment.stored_name[:2]}/{attachment.stored_name}{PENDING}"]
    db.session.commit()
    assert files_in(app) == [f"{attachment.stored_name[:2]}/{attachment.stored_name}"]


def test_a_rolled_back_file_is_deleted(app, center):
    case = make_case(center)
    upload(case)
    db.session.rollback()
    assert files_in(app) == []


def test_a_note_with_a_file_leaves_it_in_place_and_check_finds_everything_in_order(app, client, login_as, center,
                                                                                   runner):
    case = make_case(center)
    login_as(center.staff["consultation"])
    assert note_with_file(client, case).status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert files_in(app) == [f"{attachment.stored_name[:2]}/{attachment.stored_name}"]
    check = runner.invoke(args=["attachments", "check"])
    assert check.exit_code == 0 and "every file has its row and every row its file" in check.output


def _killed_before_the_commit(case, *, age_seconds: float) -> Path:
    """What a worker killed between writing the file and committing its row leaves behind."""
    attachment = upload(case)
    path = stored_path(attachment)
    db.session.info.clear()  # the process is gone: nobody deletes the file
    db.session.rollback()
    pending = path.with_name(path.name + PENDING)
    os.utime(pending, (time.time() - age_seconds, time.time() - age_seconds))
    return pending


def test_check_reports_files_without_rows_and_repair_moves_them_to_quarantine(app, center, runner):
    case = make_case(center)
    old = _killed_before_the_commit(case, age_seconds=2 * 3600)
    in_flight = _killed_before_the_commit(case, age_seconds=60)  # perhaps a request still uploading
    stray = Path(app.config["UPLOAD_FOLDER"]) / "ab" / ("ab" + "0" * 30)
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(PDF)  # a file in place whose row is gone

    check = runner.invoke(args=["attachments", "check"])
    assert check.exit_code == 1
    assert f"file without a row: {old}" in check.output and f"file without a row: {stray}" in check.output
    assert str(in_flight) not in check.output

    repair = runner.invoke(args=["attachments", "check", "--repair"])
    quarantine = Path(app.config["UPLOAD_FOLDER"]) / "quarantine"
    [folder] = list(quarantine.iterdir())
    assert repair.exit_code == 0 and f"2 files without a row moved to {folder}" in repair.output
    assert sorted(path.name for path in folder.iterdir()) == sorted([old.name, stray.name])
    assert not old.exists() and not stray.exists() and in_flight.exists()
    assert runner.invoke(args=["attachments", "check"]).exit_code == 0


def test_repair_leaves_alone_a_file_whose_row_was_committed_after_the_check(app, center):
    case = make_case(center)
    late = _killed_before_the_commit(case, age_seconds=2 * 3600)  # an old upload, its request slow to commit
    found = check_files()
    assert found.orphans == [late]
    db.session.add(Attachment(case_id=case.id, event_id=case.events[0].id, uploaded_by_id=case.submitter.id,
                              stored_name=late.name.removesuffix(PENDING), original_name="迟到.pdf",
                              content_type="application/pdf", size=len(PDF), sha256="0" * 64))
    db.session.commit()  # the commit lands between the check and the repair
    quarantine = repair_files(found, datetime.now(UTC))
    assert late.exists() and list(quarantine.iterdir()) == []


def test_a_row_whose_file_was_never_moved_into_place_is_finished_by_repair(app, client, login_as, center, runner):
    case = make_case(center)
    attachment = upload(case)
    db.session.info.clear()  # killed between the commit and the move
    db.session.commit()
    path = stored_path(attachment)
    assert not path.exists()
    check = runner.invoke(args=["attachments", "check"])
    assert check.exit_code == 1 and f"row whose file was never moved into place: {case.reference} 图纸.pdf" in \
        check.output
    repair = runner.invoke(args=["attachments", "check", "--repair"])
    assert repair.exit_code == 0 and "1 files moved into place" in repair.output
    login_as(center.enterprise)
    assert client.get(f"/cases/{case.reference}/attachments/{attachment.id}").data == PDF


def test_a_row_without_its_file_is_reported_and_repair_cannot_hide_it(app, center, runner):
    case = make_case(center)
    attachment = upload(case)
    db.session.commit()
    stored_path(attachment).unlink()
    for args in (["attachments", "check"], ["attachments", "check", "--repair"]):
        check = runner.invoke(args=args)
        assert check.exit_code == 1
        assert f"row without a file: {case.reference} 图纸.pdf ({attachment.stored_name})" in check.output


@pytest.mark.parametrize("refused", [b"MZ\x90\x00", b""])
def test_a_refused_upload_leaves_no_file_at_all(app, client, login_as, center, refused):
    case = make_case(center)
    login_as(center.staff["consultation"])
    response = client.submit(f"/cases/{case.reference}/notes", {"comment": "附件", "files": [
        (io.BytesIO(PDF), "good.pdf"), (io.BytesIO(refused), "bad.pdf")]}, page=f"/cases/{case.reference}",
        content_type="multipart/form-data")
    assert response.status_code == 400 and files_in(app) == []
