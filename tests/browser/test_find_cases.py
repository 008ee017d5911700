"""A staff member finds a case from the workspace's search box, on a phone and at a desk, in both languages."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "width"), [("zh", 390), ("en", 1280)])
def test_a_case_is_found_by_its_number_as_printed_and_opened(page, live_server, center, language, width):
    lamp = make_case(center, "consultation", title="六臂水晶吊灯咨询", description="申请号 2021 3 0123456.8 的吊灯")
    make_case(center, "consultation", title="壁灯咨询")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, center.staff["consultation"])
    page.goto(f"{live_server}/workspace/")
    page.fill("#workspace-finder input[name=q]", "水晶吊灯")
    submit(page, "#workspace-finder [type=submit]")
    expect(page.locator("#q")).to_have_value("水晶吊灯")
    rows = page.locator("[data-reference]")
    expect(rows).to_have_count(1)
    page.select_option("#state", "open")
    submit(page, "#find")
    expect(rows).to_have_count(1)
    submit(page, f"[data-reference='{lamp.reference}'] a")
    expect(page.locator("h1")).to_contain_text(lamp.reference)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("language", "width"), [("zh", 390), ("en", 1280)])
def test_staff_tick_two_cases_in_the_workspace_and_claim_them(page, live_server, center, language, width):
    cases = [make_case(center, "consultation", title=f"吊灯咨询{n}") for n in range(3)]
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, center.staff["consultation"])
    page.goto(f"{live_server}/workspace/?tab=unassigned")
    for case in cases[:2]:
        page.check(f"#tick-{case.reference}")
    page.select_option("#bulk-action", "claim")
    submit(page, "#bulk-apply")
    expect(page.locator(".alert-success")).to_contain_text(f"{cases[0].reference}, {cases[1].reference}")
    expect(page.locator("[data-reference]")).to_have_count(1)  # the unassigned tab keeps the third
    assert page.evaluate("document.documentElement.scrollWidth") <= width
