"""Managers replace a notice's Word template in the app: a template is tried with a sample notice and refused
with the reason when it cannot be used (the one in use stays); a notice is written again from the template now in
place as a new version under the same number; the default templates are what their script makes."""
import html
import io
import re

import pytest
from docx import Document
from sqlalchemy import select

from ipcenter.audit.models import AuditEntry
from ipcenter.cases.models import Case
from ipcenter.extensions import db
from ipcenter.notices.document import check_template, default_template, sample_context, write_notice
from ipcenter.notices.kinds import NOTICE_KINDS
from ipcenter.notices.make_templates import make_templates
from ipcenter.notices.models import NoticeTemplate
from tests.cases.conftest import center, make_case  # noqa: F401
from tests.notices.conftest import docx_text, downloaded, notice_links
from tests.notices.test_issuing import act, speaks


def word_file(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    written = io.BytesIO()
    document.save(written)
    return written.getvalue()


def upload(client, kind: str, language: str, content: bytes, name: str = "新模板.docx"):
    return client.submit(f"/admin/notices/{kind}/{language}", {f"{language}-file": (io.BytesIO(content), name)},
                         page=f"/admin/notices/{kind}", content_type="multipart/form-data")


def error_beside_field(page: str, language: str) -> str:
    field = page.split(f'id="{language}-file"', 1)[1]
    return html.unescape(re.search(r'<div class="invalid-feedback d-block">(.*?)</div>', field, re.S).group(1))


def acceptance_text(client, sign_in, center, staff=None) -> str:
    """A case accepted now: the text of its Chinese acceptance notice, as the enterprise reads it."""
    case = make_case(center, "patent_filing")
    sign_in(staff or center.staff["intake"])
    act(client, case, "accept")
    sign_in(center.enterprise)
    [(_, _, path), *_] = notice_links(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    return docx_text(downloaded(client, path)[1])


def test_a_manager_replaces_a_template_and_the_next_notice_uses_it_until_the_default_is_back(
        client, sign_in, center, notice_day):
    speaks(center.enterprise, "zh")
    sign_in(center.manager)
    replacement = word_file("新版受理通知书 {{ notice_number }}", "{{ addressee_zh }}：贵单位的请求已受理。",
                            "{{ date_zh }}")
    response = upload(client, "acceptance", "zh", replacement)
    assert response.status_code == 302
    page = client.get("/admin/notices/acceptance").get_data(as_text=True)
    assert 'id="template-zh" data-state="replaced"' in page and "新模板.docx" in page
    assert 'id="template-en" data-state="default"' in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "template.changed"))
    assert entry.object_id == "notice:acceptance.zh" and entry.before == {"template": "default"}
    assert entry.after["template"] == "新模板.docx"

    text = acceptance_text(client, sign_in, center)
    assert "新版受理通知书 古知受〔2026〕0001号" in text and "2026年11月26日" in text

    sign_in(center.manager)
    assert client.submit("/admin/notices/acceptance/zh/default", page="/admin/notices/acceptance").status_code == 302
    assert db.session.get(NoticeTemplate, ("acceptance", "zh")) is None
    assert "新版" not in acceptance_text(client, sign_in, center)


BROKEN = {
    "an unknown placeholder": (word_file("{{ notice_number }} {{ applicant_phone }}"),
                               "This notice has no placeholder applicant_phone."),
    "an unknown name in a branch the sample does not take": (
        word_file("{% if not case_title %}{{ respondent_name }}{% endif %}"),
        "This notice has no placeholder respondent_name."),
    "a Jinja syntax error": (word_file("受理通知书 {{ notice_number }", "{{ case_title }}"),
                             "A placeholder is written wrongly: unexpected '}'"),
    "an unclosed loop": (word_file("{% for line in case_title %}{{ line }}"),
                         "A placeholder is written wrongly: Unexpected end of template."),
    "not a Word document": (b"%PDF-1.4\n%%EOF\n", "This is not a Word document (.docx)"),
    "reaching past the values": (word_file("{{ case_title.__class__.__mro__ }}"),
                                 "The template cannot be filled in: access to attribute"),
}


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
def test_a_broken_template_is_refused_with_the_reason_and_the_one_in_use_stays(
        client, sign_in, center, notice_day, broken):
    speaks(center.enterprise, "zh")
    sign_in(center.manager)
    assert upload(client, "acceptance", "zh", word_file("在用模板 {{ notice_number }}")).status_code == 302
    content, reason = BROKEN[broken]
    response = upload(client, "acceptance", "zh", content, name="坏模板.docx")
    assert response.status_code == 400
    assert reason in error_beside_field(response.get_data(as_text=True), "zh")
    assert db.session.get(NoticeTemplate, ("acceptance", "zh")).file_name == "新模板.docx"
    assert "在用模板 古知受〔2026〕0001号" in acceptance_text(client, sign_in, center)


def test_an_upload_without_a_file_is_refused_beside_the_field(client, sign_in, center):
    sign_in(center.manager)
    response = client.submit("/admin/notices/correction/en", {}, page="/admin/notices/correction",
                             content_type="multipart/form-data")
    assert response.status_code == 400
    assert error_beside_field(response.get_data(as_text=True), "en") == "Choose the Word file."


def test_a_manager_writes_a_notice_again_as_version_two_with_the_same_number(client, sign_in, center, notice_day):
    speaks(center.enterprise, "en")
    case = make_case(center, "patent_filing")
    sign_in(center.staff["intake"])
    act(client, case, "accept")
    sign_in(center.manager)
    upload(client, "acceptance", "en", word_file("Corrected notice {{ notice_number }} for {{ addressee_en }}"))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    notice_id = re.search(r'id="regenerate-(\d+)"', page).group(1)
    response = client.submit(f"/cases/{case.reference}/notices/{notice_id}/regenerate",
                             page=f"/cases/{case.reference}")
    assert response.status_code == 302

    sign_in(center.enterprise)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="regenerate-' not in page  # managers only
    links = notice_links(page)
    assert [(number, language) for number, language, _ in links] == [("古知受〔2026〕0001号", language)
                                                                      for language in ("zh", "en", "zh", "en")]
    assert re.findall(r'data-version="(\d)"', page) == ["1", "2"]
    names = [downloaded(client, path)[0] for *_, path in links]
    assert names == ["受理通知书-古知受〔2026〕0001号.docx", "Acceptance notice-古知受〔2026〕0001号.docx",
                     "受理通知书-古知受〔2026〕0001号-v2.docx", "Acceptance notice-古知受〔2026〕0001号-v2.docx"]
    newest = docx_text(downloaded(client, links[3][2])[1])
    assert newest.strip() == f"Corrected notice 古知受〔2026〕0001号 for {center.enterprise.organisation.name_en}"
    assert "Acceptance Notice" in docx_text(downloaded(client, links[1][2])[1])  # the first version stays as it was
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.regenerated"))
    assert entry.object_id == case.reference and entry.after["version"] == 2


def test_writing_a_notice_again_is_for_managers(client, sign_in, center, notice_day):
    case = make_case(center, "patent_filing")
    sign_in(center.staff["intake"])
    act(client, case, "accept")
    notice_id = db.session.get(Case, case.id).events[-1].id  # any id: the refusal comes first
    for user in (center.staff["intake"], center.enterprise):
        sign_in(user)
        assert client.submit(f"/cases/{case.reference}/notices/{notice_id}/regenerate",
                             page="/").status_code == 403


@pytest.mark.parametrize("who", ["staff", "enterprise", "reporter"])
def test_only_managers_reach_the_template_pages(client, sign_in, center, who):
    sign_in(center.staff["intake"] if who == "staff" else getattr(center, who))
    for path in ("/admin/notices/", "/admin/notices/acceptance", "/admin/notices/acceptance/zh.docx"):
        assert client.get(path).status_code == 403, path
    assert upload(client, "acceptance", "zh", word_file("{{ notice_number }}")).status_code == 403
    assert db.session.get(NoticeTemplate, ("acceptance", "zh")) is None


def test_the_template_pages_list_every_kind_and_its_steps(client, sign_in, center):
    sign_in(center.manager)
    page = client.get("/admin/notices/").get_data(as_text=True)
    assert re.findall(r'<tr data-kind="(\w+)"', page) == list(NOTICE_KINDS)
    kind_page = client.get("/admin/notices/pre_examination_fail").get_data(as_text=True)
    assert "Do not accept" in kind_page and "Pre-examination" in kind_page
    assert "Issued there instead of the Notice of non-acceptance." in kind_page
    assert "Record the mediation agreement (close)" in client.get("/admin/notices/mediation_agreement").get_data(
        as_text=True)
    _, content = downloaded(client, "/admin/notices/mediation_agreement/zh.docx")
    assert "{%p for term in terms %}" in docx_text(content)
    assert client.get("/admin/notices/nonsense").status_code == 404
    assert client.get("/admin/notices/acceptance/fr.docx").status_code == 404


def test_a_template_stored_before_it_could_fail_refuses_the_step_instead_of_failing(
        client, sign_in, center, notice_day):
    """A template in the table that does not fit this case (put there before the check existed, or by hand):
    the step is refused with the reason, and nothing of it is kept."""
    db.session.add(NoticeTemplate(kind="acceptance", language="zh", file_name="旧.docx", sha256="0" * 64,
                                  content=word_file("{{ case_title.missing }}"), uploaded_by=center.manager))
    db.session.commit()
    case = make_case(center, "patent_filing")
    sign_in(center.staff["intake"])
    response = client.submit(f"/cases/{case.reference}/actions/accept", {"version": case.version},
                             page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert "could not be written from its template" in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).stage == "intake"


@pytest.mark.parametrize("kind", NOTICE_KINDS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_default_template_passes_its_check_and_fills_in_every_placeholder(app, kind, language):
    notice = NOTICE_KINDS[kind]
    check_template(notice, default_template(notice, language))
    text = docx_text(write_notice(default_template(notice, language), sample_context(notice)))
    assert "{{" not in text and "{%" not in text and "古知受〔2026〕0012号" in text
    assert notice.name_zh in text if language == "zh" else "the Chinese notice governs" in text


def test_the_default_templates_are_what_their_script_makes(tmp_path):
    made = make_templates(tmp_path)
    assert len(made) == 2 * len(NOTICE_KINDS)
    for path in made:
        kind = next(kind for kind in NOTICE_KINDS.values() if path.name.startswith(f"{kind.template}."))
        language = path.name.split(".")[-2]
        assert docx_text(path.read_bytes()) == docx_text(default_template(kind, language)), path.name
