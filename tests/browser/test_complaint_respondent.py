"""A complaint's respondent in a real browser: staff notify it and release the assessment opinion (1280 px,
English), the respondent opens its link on a phone (390 px, Chinese), reads the notice and answers with a file,
and staff find the answer on the case page. axe-core checks every page of both tabs."""
import pytest
from playwright.sync_api import expect

from ipcenter.cases.operations import advance_case, submit_case
from ipcenter.extensions import db
from tests.browser.conftest import ARTIFACTS, BROWSER_LOCALES, AccessibilityAudit, log_in, perform, submit
from tests.cases.conftest import DETAILS
from tests.complaints.conftest import OPINION, pdf

pytestmark = pytest.mark.browser
CATALOGUE = {"name": "2019年产品目录.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
STATEMENT = "我司该款吊灯系2019年自主设计，早于涉案专利申请日公开销售，请求认定不侵权。"


def assessed_complaint(center):
    staff = center.staff["rights_protection"]
    case = submit_case(center.enterprise.organisation, center.enterprise, "infringement_complaint",
                       {**DETAILS["infringement_complaint"], "respondent_name": "中山市古镇鑫辉灯饰厂"},
                       [pdf("公证购买发票.pdf")])
    advance_case(case, "accept", staff, comment="证据齐全")
    advance_case(case, "find_infringing", staff, comment="构成侵权", files=[pdf(OPINION)])
    db.session.commit()
    return case


def test_staff_notify_the_respondent_who_answers_by_its_link_on_a_phone(page, browser, live_server, center):
    case = assessed_complaint(center)
    log_in(page, live_server, center.staff["rights_protection"])
    page.goto(f"{live_server}/cases/{case.reference}")
    perform(page, "notify_respondent", comment="已电话告知展位负责人")
    link = page.locator("#respondent-link").input_value()
    assert "/respond/" in link
    expect(page.locator("#respondent-link-state")).to_contain_text("send the link by other means")
    opinion = page.locator("#release-files li", has_text=OPINION)
    with page.expect_navigation():
        opinion.get_by_role("button", name=f"Release {OPINION} to the respondent").click()
    expect(page.locator("#release-files li", has_text=OPINION)).to_have_attribute("data-released", "yes")

    phone = browser.new_context(locale=BROWSER_LOCALES["zh"], viewport={"width": 390, "height": 844},
                                reduced_motion="reduce")
    respondent = phone.new_page()
    audit = AccessibilityAudit(respondent)
    respondent.goto(live_server + link[link.index("/respond/"):])
    expect(respondent.locator("h1")).to_have_text("侵权投诉通知")
    expect(respondent.locator("#notice-reference")).to_have_text(case.reference)
    expect(respondent.locator("[data-hours-left]")).to_contain_text("剩余23小时")
    expect(respondent.locator("#released-files")).to_contain_text(OPINION)
    expect(respondent.locator("body")).not_to_contain_text("公证购买发票.pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    respondent.screenshot(path=str(ARTIFACTS / "complaint_respondent_notice_on_a_phone.png"), full_page=True)
    respondent.fill("#comment", STATEMENT)
    respondent.set_input_files("#files", files=[CATALOGUE])
    submit(respondent, "#send-answer")
    expect(respondent.locator("#link-used")).to_have_text("您的答复已收到")
    assert respondent.evaluate("document.documentElement.scrollWidth") <= 390
    audit.wait_for_checks()
    phone.close()
    assert not audit.violations, audit.report()

    page.reload()
    answered = page.locator("#timeline [data-action=respondent_answers]")
    expect(answered).to_contain_text("The respondent")
    expect(answered).to_contain_text(STATEMENT)
    expect(answered).to_contain_text(CATALOGUE["name"])
    expect(page.locator("#respondent-link-state")).to_contain_text("the respondent answered")
