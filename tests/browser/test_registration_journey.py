"""First journey: an enterprise registers, confirms its email, the manager records it, the enterprise sees it
recorded."""
import re

import pytest
from playwright.sync_api import expect

from ipcenter.accounts.models import Role
from tests.browser.conftest import log_in, log_out, submit
from tests.conftest import make_user, valid_credit_code

pytestmark = pytest.mark.browser


STATUS_LABELS = {"zh": ("待备案", "已备案"), "en": ("Pending record", "Recorded")}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_register_approve_and_see_the_record(page, live_server, mailbox, language):
    manager = make_user(Role.MANAGER, email="boss@center.cn", language=language)
    base = live_server
    pending_label, recorded_label = STATUS_LABELS[language]

    page.goto(f"{base}/register")
    page.fill("#name_zh", "中山市古镇浏览器灯饰厂")
    page.fill("#credit_code", "not-a-code")
    page.fill("#address", "广东省中山市古镇镇中兴大道8号")
    page.fill("#contact_person", "林先生")
    page.fill("#phone", "13812345678")
    page.fill("#organisation_email", "info@browser-lamps.cn")
    page.fill("#main_products", "LED 吊灯")
    page.fill("#display_name", "林先生")
    page.fill("#email", "lin@browser-lamps.cn")
    page.fill("#password", "Browser-lamp-2026")
    page.fill("#confirm", "Browser-lamp-2026")
    submit(page, "#registration-form [type=submit]")
    expect(page.locator("#credit_code ~ .invalid-feedback")).to_contain_text(
        "统一社会信用代码" if language == "zh" else "not a valid unified social credit code")

    page.fill("#credit_code", valid_credit_code())
    page.fill("#password", "Browser-lamp-2026")
    page.fill("#confirm", "Browser-lamp-2026")
    submit(page, "#registration-form [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("lin@browser-lamps.cn")

    [confirmation] = mailbox()
    page.goto(base + re.search(r"https?://[^/\s]+(/email/confirm/\S+)", confirmation.get_content()).group(1))
    log_in(page, base, "lin@browser-lamps.cn", "Browser-lamp-2026")
    page.goto(f"{base}/organisation")
    expect(page.locator("[data-status=pending]")).to_have_text(pending_label)
    expect(page.locator("#invite-closed")).to_be_visible()
    log_out(page)

    log_in(page, base, manager)
    expect(page.locator("#pending-count")).to_have_text("1")
    page.click("#review-pending")
    page.get_by_role("link", name="中山市古镇浏览器灯饰厂").click()
    submit(page, "#decide-approve")
    expect(page.locator("[data-status=recorded]")).to_have_text(recorded_label)
    expect(page.locator("#review-history")).to_contain_text("已批准" if language == "zh" else "Approved")
    log_out(page)

    log_in(page, base, "lin@browser-lamps.cn", "Browser-lamp-2026")
    expect(page.locator("[data-status=recorded]")).to_have_text(recorded_label)
    page.click("#user-menu")  # signed in, the language is switched from the user's menu
    submit(page, "#language-switch")
    expect(page.locator("[data-status=recorded]")).to_have_text(STATUS_LABELS["en" if language == "zh" else "zh"][1])
