"""Official notices in Chromium: a manager replaces the acceptance notice's template (a broken one refused first,
with the reason beside the field), accepts a case, downloads the notice written from the new template and writes
it again as version 2; then the pages on a phone. axe checks every page (conftest)."""
import re
from pathlib import Path
from unittest import mock

import pytest
from docx import Document
from playwright.sync_api import expect

from ipcenter.extensions import db
from ipcenter.notices import operations
from tests.browser.conftest import ARTIFACTS, log_in, perform, submit
from tests.cases.conftest import make_case
from tests.notices.conftest import NOTICE_DAY, docx_text

pytestmark = pytest.mark.browser


def word_file(path, *paragraphs: str):
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


WIDER = """width => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width
    && !e.parentElement.closest('.table-responsive'))
    .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""


def fits(page, width: int) -> None:
    """Nothing on the page is wider than the phone: no sideways scrolling of the whole page."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (page.url, page.evaluate(WIDER, width))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_manager_replaces_a_template_and_sees_the_next_notice_written_from_it(page, live_server, center,
                                                                                 tmp_path, language):
    center.manager.language = center.enterprise.language = language
    db.session.commit()
    case = make_case(center, "patent_filing")
    broken = word_file(tmp_path / "broken.docx", "{{ notice_number }} {{ enterprise_phone }}")
    fixed = word_file(tmp_path / "acceptance.docx", "新版受理通知书 {{ notice_number }}", "{{ addressee_zh }}",
                      "{{ date_zh }}")

    with mock.patch.object(operations, "center_today", return_value=NOTICE_DAY):
        log_in(page, live_server, center.manager)
        page.get_by_role("button", name=re.compile("^(Administration|管理)$")).click()
        with page.expect_navigation():
            page.click("#nav-notice-templates")
        expect(page.locator('#notice-kinds tr[data-kind="acceptance"] [data-language="zh"]')).to_contain_text(
            "默认" if language == "zh" else "default")
        with page.expect_navigation():
            page.locator('#notice-kinds tr[data-kind="acceptance"] a').click()
        page.set_input_files("#zh-file", str(broken))
        submit(page, "#upload-zh")
        expect(page.locator("#replace-zh .invalid-feedback")).to_contain_text("enterprise_phone")
        page.set_input_files("#zh-file", str(fixed))
        submit(page, "#upload-zh")
        expect(page.locator("#template-zh")).to_have_attribute("data-state", "replaced")
        expect(page.locator("#template-en")).to_have_attribute("data-state", "default")
        page.screenshot(path=str(ARTIFACTS / f"notice-template-replaced-{language}.png"), full_page=True)

        page.goto(f"{live_server}/cases/{case.reference}")
        perform(page, "accept")
        notices = page.locator("#notice-list")
        expect(notices.locator(".notice-number")).to_have_text("古知受〔2026〕0001号")
        expect(notices.locator(".notice-file")).to_have_count(2 if language == "en" else 1)
        with page.expect_download() as download:
            notices.locator('.notice-file[data-language="zh"]').click()
        assert download.value.suggested_filename == "受理通知书-古知受〔2026〕0001号.docx"
        text = docx_text(Path(download.value.path()).read_bytes())
        assert "新版受理通知书 古知受〔2026〕0001号" in text and "2026年11月26日" in text

        submit(page, '#notice-list button[id^="regenerate-"]')
        expect(page.locator("#notice-list .notice-version")).to_have_count(2)
        with page.expect_download() as again:
            page.locator('.notice-version[data-version="2"] .notice-file[data-language="zh"]').click()
        assert again.value.suggested_filename == "受理通知书-古知受〔2026〕0001号-v2.docx"
        page.screenshot(path=str(ARTIFACTS / f"notice-panel-{language}.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/admin/notices/", "/admin/notices/acceptance", f"/cases/{case.reference}"):
        page.goto(f"{live_server}{path}")
        fits(page, 390)
    page.locator("#notices").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"notice-panel-390-{language}.png"), full_page=True)
