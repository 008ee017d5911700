"""Each role's first page in Chromium, on a phone in Chinese and at a desk in English: it says what needs them,
its counts lead to their lists, and nothing runs off the screen (axe checks every page the tab shows)."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ipcenter.calendar import center_today
from ipcenter.cases.operations import delegate_case
from ipcenter.extensions import db
from tests.browser.conftest import forget_login, log_in, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser
SCREENS = [("zh", 390), ("en", 1280)]


@pytest.mark.parametrize(("language", "width"), SCREENS)
def test_the_manager_s_counts_lead_to_their_lists(page, live_server, center, language, width):
    case = make_case(center, "consultation")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, center.manager)
    expect(page.locator("#count-unassigned")).to_have_text("1")
    submit(page, "#count-unassigned-link")
    expect(page.locator(f"[data-reference='{case.reference}']")).to_have_count(1)
    page.go_back()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("language", "width"), SCREENS)
def test_the_enterprise_and_the_unit_see_what_is_asked_of_them(page, browser, live_server, center, language, width):
    asked = make_case(center, "patent_filing", "awaiting_materials")
    delegated = make_case(center, "foreign_assistance", "in_progress")
    delegate_case(delegated, center.unit, center.manager, "请出具侵权比对意见")
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, center.enterprise)
    expect(page.locator("#heading-asked")).to_contain_text("(1)")
    expect(page.locator(f"[data-reference='{asked.reference}']").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    forget_login(page)
    log_in(page, live_server, center.reporter)
    expect(page.locator(f"[data-reference='{delegated.reference}']")).to_contain_text("请出具侵权比对意见")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("language", "width"), SCREENS)
def test_staff_see_their_late_case_first_and_its_count_leads_to_it(page, live_server, center, language, width):
    staff = center.staff["consultation"]
    late = make_case(center, "consultation")
    late.assignee_id, late.due_date = staff.id, center_today() - timedelta(days=1)
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, staff)
    expect(page.locator("#count-overdue")).to_have_text("1")
    expect(page.locator("#heading-overdue")).to_be_visible()
    submit(page, "#count-overdue-link")
    expect(page.locator(f"[data-reference='{late.reference}']")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
