"""Pages the journeys pass quickly, in both languages, checked by axe-core like every page a browser test shows
(see the `page` fixture): the case list with overdue, paused and closed cases, a case page in each of those
states, and the pages before logging in; and the skip link, the first thing a keyboard reaches."""
import pytest
from playwright.sync_api import expect

from ipcenter.calendar import add_working_days, center_today
from ipcenter.cases.workflow import AWAITING_MATERIALS
from ipcenter.extensions import db
from tests.browser.conftest import ARTIFACTS, log_in
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser

SKIP_LINK = {"zh": "跳到主要内容", "en": "Skip to main content"}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_case_list_and_case_pages_in_every_deadline_state(page, live_server, center, language):
    overdue = make_case(center, "consultation")
    overdue.due_date = add_working_days(center_today(), -2)
    cases = [overdue, make_case(center, "fast_pre_examination", AWAITING_MATERIALS),
             make_case(center, "fast_retrieval", "searching"), make_case(center, "consultation", "closed")]
    center.enterprise.language = language
    db.session.commit()
    log_in(page, live_server, center.enterprise)
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 390):  # a desktop and a phone
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{live_server}/cases/")
        expect(page.locator("[data-due=overdue]")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / f"case-list-{language}-{width}.png"), full_page=True)
        for case in cases:
            page.goto(f"{live_server}/cases/{case.reference}")
            expect(page.locator("#stepper")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"case-closed-{language}-{width}.png"), full_page=True)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_skip_link_comes_first_and_leads_to_the_content(page, live_server, language):
    for path in ("/", "/register", "/password/forgot", "/login"):
        page.goto(f"{live_server}{path}")
    page.keyboard.press("Tab")
    skip_link = page.locator(":focus")
    expect(skip_link).to_have_text(SKIP_LINK[language])
    expect(skip_link).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"skip-link-{language}.png"))
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is in the content: the login form, not the navigation bar
    expect(page.locator("#main :focus")).to_have_count(1)
