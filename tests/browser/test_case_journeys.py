"""Case journeys in a real browser: fast pre-examination with a correction round-trip, and
foreign-related assistance delegated to a law firm that reports progress."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out, perform, submit

pytestmark = pytest.mark.browser

PNG = {"name": "吊灯主视图.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}
PDF = {"name": "补正后的视图.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}


def open_case_from_queue(page, base, reference):
    page.goto(f"{base}/workspace/?tab=all")
    page.click(f"[data-reference='{reference}'] a")
    expect(page.locator("#case-reference")).to_have_text(reference)


def test_fast_pre_examination_from_request_to_grant(page, live_server, center):
    base = live_server
    log_in(page, base, center.enterprise)
    page.click("text=New request")
    page.click("#choose-fast_pre_examination")
    page.fill("#title", "六臂水晶吊灯外观设计")
    page.fill("#description", "新品将于广交会发布，请走快速预审通道。")
    page.select_option("#patent_kind", "design")
    page.fill("#product_name", "水晶吊灯")
    page.fill("#classification", "09-01")  # not lighting: refused with a reason
    submit(page, "#request-form [type=submit]")
    expect(page.locator("#classification ~ .invalid-feedback")).to_contain_text("Not a lighting class: 09-01.")
    page.fill("#classification", "26-05")
    page.set_input_files("#files", files=[PNG])
    submit(page, "#request-form [type=submit]")
    reference = page.locator("#case-reference").inner_text()
    expect(page.locator("#stepper [aria-current=step]")).to_contain_text("Intake")
    log_out(page)

    log_in(page, base, center.staff["intake"])
    open_case_from_queue(page, base, reference)
    submit(page, "#claim")
    expect(page.locator("#case-assignee")).to_have_text(center.staff["intake"].display_name)
    perform(page, "accept", comment="材料齐全，转预审。")
    expect(page.locator("#stepper [aria-current=step]")).to_contain_text("Pre-examination")
    log_out(page)

    log_in(page, base, center.staff["pre_examination"])
    open_case_from_queue(page, base, reference)
    perform(page, "request_corrections", comment="请补充左视图，并去掉图中的阴影。")
    expect(page.locator("#side-state")).to_contain_text("Corrections requested")
    log_out(page)

    log_in(page, base, center.enterprise)
    expect(page.locator("#unread-count")).to_be_visible()
    page.goto(f"{base}/cases/{reference}")
    expect(page.locator("#timeline")).to_contain_text("请补充左视图")
    perform(page, "answer_corrections", comment="已补充左视图并去掉阴影。", files=[PDF])
    expect(page.locator("#stepper [aria-current=step]")).to_contain_text("Pre-examination")
    log_out(page)

    log_in(page, base, center.staff["pre_examination"])
    open_case_from_queue(page, base, reference)
    expect(page.locator("#timeline")).to_contain_text("补正后的视图.pdf")
    perform(page, "pass", comment="预审合格。")
    perform(page, "forward", application_number="2021 3 0123456.8")
    expect(page.locator("#timeline")).to_contain_text("CN202130123456.8")
    expect(page.locator("#case-due")).to_contain_text("working days left")  # a design: granted in days
    perform(page, "record_grant", patent_number="ZL202130123456.8")
    perform(page, "close", comment="证书已送达。")
    expect(page.locator("#case-due")).to_contain_text("Closed")
    log_out(page)

    log_in(page, base, center.enterprise)
    page.goto(f"{base}/cases/{reference}")
    expect(page.locator("#case-outcome")).to_have_text("Granted")
    expect(page.locator("#timeline")).to_contain_text("ZL202130123456.8")


def test_foreign_assistance_delegated_to_a_law_firm(page, live_server, center):
    base = live_server
    log_in(page, base, center.enterprise)
    page.goto(f"{base}/cases/new/foreign_assistance")
    page.fill("#title", "法兰克福照明展展品被投诉")
    page.fill("#description", "展会方通知我司展品涉嫌侵权。")
    page.fill("#country", "德国")
    page.fill("#counterparty", "某欧洲灯具公司")
    page.select_option("#foreign_event", "exhibition")
    page.fill("#external_deadline", "2099-03-10")
    submit(page, "#request-form [type=submit]")
    reference = page.locator("#case-reference").inner_text()
    log_out(page)

    log_in(page, base, center.staff["foreign_assistance"])
    open_case_from_queue(page, base, reference)
    perform(page, "accept", comment="受理，制定援助方案。")
    perform(page, "start_assistance", comment="委托律所向展会提交不侵权说明。")
    page.select_option("#delegate-form select[name=unit]", str(center.unit.id))
    page.fill("#delegate-form textarea[name=comment]", "请联系展会主办方。")
    submit(page, "#delegate")
    expect(page.locator("#case-unit")).to_have_text(center.unit.name_zh)
    page.fill("#note-form textarea[name=comment]", "对方律师态度强硬，注意保全证据。")
    submit(page, "#note-form [type=submit]")
    log_out(page)

    log_in(page, base, center.reporter)
    page.click("text=Delegated cases")
    page.click(f"[data-reference='{reference}'] a")
    expect(page.locator("#timeline")).not_to_contain_text("对方律师态度强硬")
    page.fill("#progress-form input[name=percent]", "50")
    page.fill("#progress-form textarea[name=note]", "已向主办方提交不侵权说明。")
    page.set_input_files("#progress-form input[name=files]", files=[PDF])
    submit(page, "#progress-form [type=submit]")
    expect(page.locator("#timeline")).to_contain_text("50%")
    perform(page, "resolve", comment="主办方撤回投诉。")
    expect(page.locator("#stepper [aria-current=step]")).to_contain_text("Resolved")
    log_out(page)

    log_in(page, base, center.staff["foreign_assistance"])
    page.goto(f"{base}/cases/{reference}")
    expect(page.locator("#timeline")).to_contain_text("已向主办方提交不侵权说明")
    perform(page, "close", comment="结案。")
    log_out(page)

    log_in(page, base, center.enterprise)
    page.goto(f"{base}/cases/{reference}")
    expect(page.locator("#case-outcome")).to_have_text("Resolved")
    expect(page.locator("#timeline")).to_contain_text("主办方撤回投诉")
    expect(page.locator("#timeline")).not_to_contain_text("对方律师态度强硬")
    expect(page.locator("#timeline")).not_to_contain_text("已向主办方提交不侵权说明")
