"""A fair complaint from start to end in Chromium: the maker files it with a photo; staff accept it (the acceptance
notice is issued), assess it and notify the respondent; the respondent answers through its link on a phone; staff
mediate and record the agreement; the case closes and the maker rates the service. Once more where the respondent
lets its 24 hours pass. axe-core checks every page each tab shows."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ipcenter.cases.models import Case
from ipcenter.cases.operations import advance_case
from ipcenter.database import utcnow
from ipcenter.extensions import db
from tests.browser.conftest import BROWSER_LOCALES, AccessibilityAudit, log_in, log_out, perform, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser
PHOTO = {"name": "展位照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}
STATEMENT = "我司愿意停止展出并协商赔偿。"


def file_a_fair_complaint(page, live_server) -> str:
    page.goto(f"{live_server}/cases/new/infringement_complaint")
    for field, value in (("title", "六臂水晶吊灯"), ("description", "灯博会3号馆A-126展出与我司外观设计相同的吊灯。"),
                         ("patent_number", "ZL202130123456.8"), ("respondent_name", "中山市古镇鑫辉灯饰厂"),
                         ("fair_name", "古镇灯博会"), ("found_at", "3号馆 A-126")):
        page.fill(f"#{field}", value)
    page.select_option("#evaluation_report", "yes")
    page.select_option("#channel", "fair")
    page.set_input_files("#files", files=[PHOTO])
    submit(page, "#request-form [type=submit]")
    return page.locator("#case-reference").inner_text()


def test_a_fair_complaint_from_the_maker_to_its_rating(page, browser, live_server, center):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, center.enterprise)
    reference = file_a_fair_complaint(page, live_server)
    expect(page.locator("[data-stage]").first).to_have_attribute("data-stage", "intake")
    log_out(page)

    log_in(page, live_server, center.staff["rights_protection"])
    page.goto(f"{live_server}/cases/{reference}")
    perform(page, "accept", comment="材料齐全，予以受理。")
    expect(page.locator("#notice-list [data-notice=acceptance]")).to_have_count(1)
    perform(page, "find_infringing", comment="被控产品与专利外观设计整体视觉效果无实质性差异。")
    perform(page, "notify_respondent", comment="已告知展位负责人。")
    expect(page.locator("#stepper-hours [data-hours-left]")).to_contain_text("23 hours left")
    link = page.locator("#respondent-link").input_value()

    phone = browser.new_context(locale=BROWSER_LOCALES["zh"], viewport={"width": 390, "height": 844})
    respondent = phone.new_page()
    audit = AccessibilityAudit(respondent)
    respondent.goto(live_server + link[link.index("/respond/"):])
    expect(respondent.locator("#notice-reference")).to_have_text(reference)
    respondent.fill("#comment", STATEMENT)
    submit(respondent, "#send-answer")
    expect(respondent.locator("#link-used")).to_be_visible()
    audit.wait_for_checks()
    phone.close()
    assert not audit.violations, audit.report()

    page.reload()
    expect(page.locator("#timeline [data-action=respondent_answers]")).to_contain_text(STATEMENT)
    perform(page, "record_session", comment="第一次调解：双方同意停止展出。")
    perform(page, "record_agreement", comment="被投诉方撤下展品并赔偿2万元。")
    expect(page.locator("#case-outcome")).to_have_text("Settled by agreement")
    expect(page.locator("#notice-list [data-notice=mediation_agreement]")).to_have_count(1)
    log_out(page)

    log_in(page, live_server, center.enterprise)
    page.goto(f"{live_server}/cases/{reference}#satisfaction")
    page.locator("#satisfaction-form").get_by_label(re.compile(r"^5\s+Very satisfied$")).check()
    submit(page, "#send-satisfaction")
    expect(page.locator("#satisfaction-score")).to_contain_text("5 / 5")


def test_a_respondent_that_lets_its_24_hours_pass(page, live_server, center):
    case = make_case(center, "infringement_complaint", "respondent_notice")
    advance_case(case, "notify_respondent", center.staff["rights_protection"])
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, center.staff["rights_protection"])
    page.goto(f"{live_server}/cases/{case.reference}")
    perform(page, "no_answer", comment="请展会主办方遮盖展品。")
    expect(page.locator("#case-error")).to_be_visible()  # not before the deadline
    db.session.get(Case, case.id).due_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    page.goto(f"{live_server}/cases/{case.reference}")
    expect(page.locator("#stepper-hours [data-hours-left]")).to_have_attribute("data-hours-left", "-1")
    perform(page, "no_answer", comment="请展会主办方遮盖展品。")
    expect(page.locator("#case-outcome")).to_have_text("Respondent failed to answer — measures requested")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
