"""Uploads: size limit, types judged by content, names kept, files served only with permission."""
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipcenter.cases.models import Attachment
from ipcenter.extensions import db
from tests.cases.conftest import make_case

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def office_file(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def note_with(client, case, *files):
    return client.submit(f"/cases/{case.reference}/notes",
                         {"comment": "附件", "files": [(io.BytesIO(body), name) for name, body in files]},
                         page=f"/cases/{case.reference}", content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("name, body, content_type", [
    ("外观设计图.pdf", PDF, "application/pdf"),
    ("照片.JPG", JPEG, "image/jpeg"),
    ("说明书.docx", office_file("word/document.xml"), "application/vnd.openxmlformats-officedocument"
                                                      ".wordprocessingml.document"),
    ("费用.xlsx", office_file("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument"
                                                  ".spreadsheetml.sheet"),
])
def test_allowed_files_are_stored_with_their_names_and_digests(app, client, login_as, center, name, body,
                                                              content_type):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    assert note_with(client, case, (name, body)).status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.original_name == name and attachment.content_type == content_type
    assert attachment.sha256 == hashlib.sha256(body).hexdigest() and attachment.size == len(body)
    [path] = stored_files(app)
    assert path.name == attachment.stored_name and name not in str(path)
    assert not str(path).startswith(str(Path(app.static_folder)))


def test_chinese_only_name_is_kept_exactly_and_downloads_under_it(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    note_with(client, case, ("灯具外观设计专利申请书.pdf", PDF))
    attachment = db.session.scalar(select(Attachment))
    response = client.get(f"/cases/{case.reference}/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E7%81%AF%E5%85%B7" in disposition


@pytest.mark.parametrize("name", ["../../../etc/passwd.pdf", "..\\..\\windows\\evil.pdf", "/abs/path.pdf"])
def test_path_traversal_names_are_reduced_to_the_file_name(app, client, login_as, center, name):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    assert note_with(client, case, (name, PDF)).status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    assert attachment.original_name.endswith(".pdf")
    [path] = stored_files(app)
    assert path.parent.parent == Path(app.config["UPLOAD_FOLDER"])


@pytest.mark.parametrize("name, body", [
    ("发票.pdf", b"MZ\x90\x00 this is a Windows program"),
    ("photo.png", b"<html><script>alert(1)</script></html>"),
    ("report.docx", office_file("other/thing.xml")),
    ("empty.pdf", b""),
])
def test_disguised_or_empty_files_are_refused_and_leave_nothing(app, client, login_as, center, name, body):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    response = note_with(client, case, ("good.pdf", PDF), (name, body))
    assert response.status_code == 400
    assert name.split("/")[-1] in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert len(db.session.get(type(case), case.id).events) == 1  # the note was not written either
    assert stored_files(app) == []


def test_too_large_upload_gets_the_413_page_and_leaves_nothing(app, client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = client.submit(f"/cases/{case.reference}/notes", {"comment": "附件", "files": [
        (io.BytesIO(PDF + b"0" * 100_000), "big.pdf")]}, page=f"/cases/{case.reference}",
        content_type="multipart/form-data", headers={"Referer": f"http://ipcenter.test/cases/{case.reference}"})
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The upload is too large: files up to 0.0625 MB are accepted." in html
    assert "Your browser's Back button returns to the form with what you typed" in html
    assert f'id="error-back" href="/cases/{case.reference}"' in html
    assert db.session.scalar(select(func.count(Attachment.id))) == 0 and stored_files(app) == []


def test_internal_attachments_are_not_served_outside_the_center(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    note_with(client, case, ("内部.pdf", PDF))
    attachment = db.session.scalar(select(Attachment))
    client.submit("/logout", page="/")
    login_as(center.enterprise)
    assert "内部.pdf" not in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert client.get(f"/cases/{case.reference}/attachments/{attachment.id}").status_code == 404


def test_attachment_of_another_case_is_not_reachable_through_this_one(client, login_as, center):
    case = make_case(center, "consultation")
    other = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    note_with(client, other, ("x.pdf", PDF))
    attachment = db.session.scalar(select(Attachment))
    assert client.get(f"/cases/{case.reference}/attachments/{attachment.id}").status_code == 404


def test_a_name_with_line_breaks_through_filename_star_is_stored_and_served_safely(client, login_as, center):
    """RFC 5987 `filename*` may carry %0D%0A; the name must not break the download's headers."""
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    token = client.csrf_token(f"/cases/{case.reference}")
    boundary = "----lamp"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="comment"\r\n\r\n附件\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="x.pdf"; '
            f"filename*=UTF-8''%E5%9B%BE%0D%0ASet-Cookie%3A%20a%3Db%0A.pdf\r\n"
            f'Content-Type: application/pdf\r\n\r\n').encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(f"/cases/{case.reference}/notes", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.original_name == "图Set-Cookie: a=b.pdf"
    download = client.get(f"/cases/{case.reference}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert not {"\r", "\n"} & set(download.headers["Content-Disposition"])


def test_a_stored_name_with_line_breaks_still_downloads(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    note_with(client, case, ("报告.pdf", PDF))
    attachment = db.session.scalar(select(Attachment))
    attachment.original_name = "报告\r\n.pdf"  # kept by an earlier version
    db.session.commit()
    download = client.get(f"/cases/{case.reference}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert not {"\r", "\n"} & set(download.headers["Content-Disposition"])
