"""Notification settings in Chromium: staff find the page from the account menu on a desktop and from the inbox on a
phone, put new work on the daily digest and deadlines in the app only, and see the choice kept and the next
digest's time. axe checks every page (conftest)."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipcenter.extensions import db
from ipcenter.notifications.models import Delivery, NotificationSetting
from tests.browser.conftest import ARTIFACTS, log_in, submit

pytestmark = pytest.mark.browser

SAVED = {"zh": "通知设置已保存。", "en": "Your notification settings are saved."}
NEXT = {"zh": r"下次每日摘要：\d{4}-\d\d-\d\d 08:00", "en": r"Next daily digest: \d{4}-\d\d-\d\d 08:00"}
DIGEST = {"zh": "每日摘要邮件", "en": "Daily digest email"}
NONE = {"zh": "您不会收到每日摘要：下面没有任何一类事件设为每日摘要。",
        "en": "You get no daily digest: no kind of event below is set to it."}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_staff_put_new_work_on_the_digest(page, live_server, center, language, width):
    staff = center.staff["intake"]
    staff.language = language
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server, staff)
    if width == 390:  # on a phone, through the inbox
        page.click(".navbar-toggler")
        with page.expect_navigation():
            page.click("#notifications-link")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        with page.expect_navigation():
            page.click("#notification-settings")
    else:  # on a desktop, from the account menu
        page.click("#user-menu")
        with page.expect_navigation():
            page.click("#nav-notification-settings")
    expect(page.locator("#no-digest")).to_have_text(NONE[language])  # every kind is emailed at once
    expect(page.locator("#enterprise_record, #delegation")).to_have_count(0)
    page.locator("#new_work").get_by_label(DIGEST[language]).check()
    page.locator('#deadlines input[value="1"]').check()
    submit(page, "#save-settings")
    expect(page.locator(".alert-success")).to_contain_text(SAVED[language])
    expect(page.locator("#next-digest")).to_have_text(re.compile(NEXT[language]))
    expect(page.locator('#new_work input[value="3"]')).to_be_checked()
    expect(page.locator('#deadlines input[value="1"]')).to_be_checked()
    expect(page.locator('#stage_changed input[value="2"]')).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"notification-settings-{language}-{width}.png"), full_page=True)
    db.session.rollback()  # read what the served app committed
    assert {(s.event_group, s.delivery) for s in db.session.scalars(select(NotificationSetting))} == {
        ("new_work", Delivery.DIGEST), ("stage_changed", Delivery.AT_ONCE), ("assigned", Delivery.AT_ONCE),
        ("unit_reports", Delivery.AT_ONCE), ("deadlines", Delivery.IN_APP)}
