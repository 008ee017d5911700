"""Back and submit again in a real Chromium. Back fetches the form's page anew, with a fresh one-time key,
and Chromium fills in what was typed (not a password): the sending is recognised and answered as before."""
import pytest
from playwright.sync_api import expect

from ipcenter.accounts.models import Role
from tests.browser.conftest import log_in, submit
from tests.cases.conftest import make_case
from tests.conftest import make_user, valid_credit_code

pytestmark = pytest.mark.browser

SENT_ALREADY = "This form was sent already; nothing was added twice."


def sent_with_key(page, form: str) -> str:
    """Send the form; the key it carried."""
    key = page.locator(f"{form} [name=submission_key]").input_value()
    submit(page, f"{form} [type=submit]")
    return key


def back_to_the_form(page, form: str, key: str) -> None:
    """Go back to the form's page: it comes anew, with another key than the one sent, and Chromium fills in
    what was typed."""
    page.go_back()
    page.wait_for_load_state("load")
    expect(page.locator(f"{form} [name=submission_key]")).not_to_have_value(key)


def test_an_internal_note_sent_again_after_back_is_added_once(page, live_server, center):
    case = make_case(center, "consultation")
    log_in(page, live_server, center.staff["consultation"])
    page.goto(f"{live_server}/cases/{case.reference}")
    page.fill("#note-form textarea[name=comment]", "客户来电催问进度，已答复三日内回复。")
    key = sent_with_key(page, "#note-form")
    expect(page.locator(".alert-success")).to_contain_text("The internal note is added.")
    back_to_the_form(page, "#note-form", key)  # the case page as it was before sending
    expect(page.locator("#note-form textarea[name=comment]")).to_have_value("客户来电催问进度，已答复三日内回复。")
    submit(page, "#note-form [type=submit]")
    expect(page.locator(".alert-info")).to_contain_text(SENT_ALREADY)
    expect(page.locator("#timeline [data-kind=note]")).to_have_count(1)


REGISTRATION = {"name_zh": "中山市古镇浏览器灯饰厂", "address": "广东省中山市古镇镇中兴大道8号",
                "contact_person": "林先生", "phone": "13812345678", "organisation_email": "info@browser-lamps.cn",
                "main_products": "LED 吊灯", "display_name": "林先生", "email": "lin@browser-lamps.cn"}


def test_a_registration_sent_again_after_back_is_recognised_without_its_password(page, live_server):
    page.goto(f"{live_server}/register")
    for field, value in {**REGISTRATION, "credit_code": valid_credit_code()}.items():
        page.fill(f"#{field}", value)
    page.fill("#password", "Browser-lamp-2026")
    page.fill("#confirm", "Browser-lamp-2026")
    key = sent_with_key(page, "#registration-form")
    expect(page.locator(".alert-success")).to_contain_text("lin@browser-lamps.cn")
    back_to_the_form(page, "#registration-form", key)
    expect(page.locator("#name_zh")).to_have_value(REGISTRATION["name_zh"])
    expect(page.locator("#password")).to_have_value("")  # never filled in again
    submit(page, "#registration-form [type=submit]")
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator(".alert-info")).to_contain_text(SENT_ALREADY)
    expect(page.locator(".invalid-feedback")).to_have_count(0)  # not "already registered"


def test_a_new_unit_sent_again_after_back_leads_to_the_unit_made(page, live_server):
    log_in(page, live_server, make_user(Role.MANAGER))
    page.goto(f"{live_server}/admin/units/new")
    page.fill("#name_zh", "中山市灯都专利代理所")
    page.fill("#contact_person", "周先生")
    page.fill("#phone", "0760-88881234")
    page.fill("#email", "zhou@dengdu.cn")
    key = sent_with_key(page, "#unit-form")
    unit_page = page.url
    back_to_the_form(page, "#unit-form", key)
    expect(page.locator("#name_zh")).to_have_value("中山市灯都专利代理所")
    submit(page, "#unit-form [type=submit]")
    expect(page).to_have_url(unit_page)
    expect(page.locator(".alert-info")).to_contain_text(SENT_ALREADY)
    page.goto(f"{live_server}/admin/units/")
    expect(page.get_by_role("link", name="中山市灯都专利代理所")).to_have_count(1)
