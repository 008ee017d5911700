"""Pages kept while nothing changed, as two people at the center and the enterprise see them in Chromium: what
one does shows on the other's next reload, and nobody is ever shown a page kept for someone else."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BROWSER_LOCALES, log_in, perform, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_enterprise_sees_the_answer_at_once_and_never_the_internal_note(page, browser, live_server, center,
                                                                          language):
    case = make_case(center, "consultation")
    enterprise = browser.new_context(locale=BROWSER_LOCALES[language], viewport={"width": 390, "height": 844})
    their_page = enterprise.new_page()
    log_in(their_page, live_server, center.enterprise)
    log_in(page, live_server, center.staff["consultation"])
    for tab in (page, their_page):  # each opens the case twice: the second showing is the kept page
        tab.goto(f"{live_server}/cases/{case.reference}")
        tab.reload()

    page.fill("#note-form textarea[name=comment]", "内部：该企业去年已咨询过同类问题。")
    submit(page, "#note-form [type=submit]")
    perform(page, "answer", comment="外观设计专利保护期为十五年，自申请日起计算。")
    expect(page.locator("#timeline")).to_contain_text("内部：该企业去年已咨询过同类问题。")

    their_page.reload()
    expect(their_page.locator("main")).to_contain_text("外观设计专利保护期为十五年")
    expect(their_page.locator("main")).not_to_contain_text("内部：该企业去年已咨询过同类问题。")
    enterprise.close()


def test_a_kept_page_s_form_sends_once_and_the_next_showing_has_a_form_of_its_own(page, live_server, center):
    case = make_case(center, "consultation")
    log_in(page, live_server, center.staff["consultation"])
    for note in ("第一次电话回访。", "第二次电话回访。"):
        page.goto(f"{live_server}/cases/{case.reference}")
        page.reload()  # the kept page, with a key of its own
        page.fill("#note-form textarea[name=comment]", note)
        submit(page, "#note-form [type=submit]")
        expect(page.locator(".alert-success")).to_have_count(1)
    page.reload()
    expect(page.locator(".alert-success")).to_have_count(0)  # the message was shown once
    expect(page.locator("#timeline [data-kind=note]")).to_have_count(2)
