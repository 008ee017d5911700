"""The navigation bar on a 1,280-pixel screen: the fullest one (a manager's, with unread notifications) fits one row."""
import pytest
from playwright.sync_api import expect

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.notifications.models import Notification
from tests.browser.conftest import ARTIFACTS, log_in, log_out
from tests.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_fullest_navigation_bar_fits_one_row(page, live_server, language):
    manager = make_user(Role.MANAGER, email="head@center.cn", display_name="何志强 (Manager, Guzhen Center)",
                        language=language)
    db.session.add_all(Notification(user=manager, kind="overdue") for _ in range(12))
    db.session.commit()
    log_in(page, live_server, manager)
    expect(page.locator("#unread-count")).to_have_text("12")
    brand = page.locator(".navbar-brand").bounding_box()
    for item in page.locator("#main-nav > ul > li").all():  # every item on the brand's row, none wrapped below
        box = item.bounding_box()
        assert box["y"] < brand["y"] + brand["height"] and box["x"] + box["width"] <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.click("#user-menu")
    menu = page.locator("#user-menu + .dropdown-menu")
    expect(menu).to_contain_text("中心管理员" if language == "zh" else "Center manager")
    expect(menu.locator("#language-switch")).to_have_text("English" if language == "zh" else "简体中文")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"navigation-user-menu-{language}.png"))
    page.click("#user-menu")
    log_out(page)
    expect(page.locator("#login-form, a[href$='/login']").first).to_be_visible()
