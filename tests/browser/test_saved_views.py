"""A staff member saves the finder's filters as a view shared with the post, finds it in the workspace, makes it the
default, and assigns two of its cases at once: in both languages, at a desk and on a phone (axe checks every page)."""
import re

import pytest
from playwright.sync_api import expect

from ipcenter.extensions import db
from tests.browser.conftest import log_in, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_view_is_saved_made_the_default_and_its_cases_assigned_together(page, live_server, center, language,
                                                                          width):
    lamps = [make_case(center, "consultation", title=f"吊灯咨询{n}") for n in range(3)]
    make_case(center, "consultation", title="壁灯咨询")
    staff, colleague = center.staff["consultation"], center.colleague["consultation"]
    post = center.posts["consultation"]
    staff.language = language
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, staff)
    page.goto(f"{live_server}/workspace/")
    expect(page.locator("#no-saved-views")).to_be_visible()
    submit(page, "#open-finder")
    page.fill("#q", "吊灯")
    page.select_option("#state", "open")
    submit(page, "#find")
    expect(page.locator("[data-reference]")).to_have_count(3)

    page.click("#open-save-view")
    expect(page.locator("#save-view")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.fill("#view-name", "吊灯待办")
    page.select_option("#view-shared-with", str(post.id))
    fits(page, width)
    submit(page, "#save-view-submit")
    expect(page.locator("#shown-view")).to_contain_text("吊灯待办")
    expect(page.locator("[data-reference]")).to_have_count(3)

    page.goto(f"{live_server}/workspace/")
    view = page.locator("#saved-views [data-view]")
    expect(view).to_contain_text("吊灯待办")
    fits(page, width)
    submit(page, "#saved-views [id^=make-default-]")
    expect(page.locator("#default-view")).to_be_visible()

    submit(page, "#open-finder")  # no filters: the default view
    expect(page.locator("#shown-view")).to_contain_text("吊灯待办")
    expect(page.locator("#all-cases")).to_be_visible()
    for case in lamps[:2]:
        page.check(f"#tick-{case.reference}")
    page.select_option("#bulk-action", "assign")
    page.select_option("#bulk-assignee", str(colleague.id))
    submit(page, "#bulk-apply")
    # In the order of the list (the finder's: newest first).
    expect(page.locator(".alert-success")).to_contain_text(f"{lamps[1].reference}, {lamps[0].reference}")
    expect(page.locator("#shown-view")).to_contain_text("吊灯待办")  # back on the view the cases were ticked in
    fits(page, width)
    submit(page, "#all-cases")
    expect(page.locator("[data-reference]")).to_have_count(4)
