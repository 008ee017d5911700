"""The working calendar in Chromium: a manager warned on the dashboard enters 2027's holidays on the calendar page
and sees a case's due date move; staff read the year on a phone. axe checks every page (conftest)."""
from datetime import date
from unittest import mock

import pytest
from playwright.sync_api import expect

from ipcenter.cases import agenda, operations
from ipcenter.extensions import db
from tests.browser.conftest import ARTIFACTS, log_in, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser

SCHEDULE = """2027-01-01,2027-01-01,元旦,New Year's Day
2027-02-06,2027-02-13,春节,Spring Festival
2027-02-14,workday,春节调休,Spring Festival
"""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_manager_enters_2027_and_a_case_due_across_the_spring_festival_moves(page, live_server, center,
                                                                               language):
    with mock.patch.object(operations, "center_today", return_value=date(2027, 2, 1)):
        case = make_case(center, "fast_retrieval", "searching")  # due Monday 8 February, Monday to Friday
    center.manager.language = language
    db.session.commit()
    with mock.patch.object(agenda, "center_today", return_value=date(2026, 11, 26)):
        log_in(page, live_server, center.manager)
        warning = page.locator("#calendar-missing-2027")
        expect(warning).to_be_visible()
        with page.expect_navigation():
            warning.get_by_role("link").click()
    expect(page.locator("#calendar-source")).to_have_attribute("data-source", "provisional")
    page.fill("#text", SCHEDULE)
    submit(page, "#schedule-form [type=submit]")
    expect(page.locator("#calendar-source")).to_have_attribute("data-source", "center")
    expect(page.locator('td[data-day="2027-02-08"] .day-mark')).to_have_text("休" if language == "zh" else "off")
    expect(page.locator('td[data-day="2027-02-14"] .day-mark')).to_have_text("班" if language == "zh" else "work")
    page.screenshot(path=str(ARTIFACTS / f"calendar-2027-manager-{language}.png"), full_page=True)

    page.goto(f"{live_server}/cases/{case.reference}")
    expect(page.locator("#case-due")).to_contain_text("2027-02-14")
    expect(page.locator("#case-due .provisional-date")).to_have_count(0)
    expect(page.locator('#timeline [data-kind="deadline_moved"]')).to_contain_text("2027-02-08 → 2027-02-14")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_staff_read_a_year_on_a_phone_without_forms(page, live_server, center, language):
    page.set_viewport_size({"width": 390, "height": 844})
    center.staff["retrieval"].language = language
    db.session.commit()
    log_in(page, live_server, center.staff["retrieval"])
    page.goto(f"{live_server}/calendar/2026")
    expect(page.locator('td[data-day="2026-10-01"]')).to_have_attribute("data-working", "no")
    expect(page.locator('td[data-day="2026-10-10"]')).to_have_attribute("data-working", "yes")
    expect(page.locator("#day-form")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / f"calendar-2026-staff-390-{language}.png"), full_page=True)
