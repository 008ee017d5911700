"""The Content-Security-Policy allows nothing inline: every main page renders in Chromium without a single
violation, and Bootstrap's script still works (menus open, alerts close, the phone menu unfolds)."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipcenter.cases.operations import delegate_case
from ipcenter.extensions import db
from ipcenter.organisations.models import Organisation
from ipcenter.patents.demo import seed_demo_patents
from ipcenter.patents.models import Patent
from tests.browser.conftest import log_in, log_out, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page):
    """Every message Chromium logs about the policy, from any page the tab opens."""
    logged = []
    page.on("console", lambda message: logged.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    return logged


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


def test_every_main_page_keeps_the_policy_and_bootstrap_still_works(page, live_server, center, violations):
    base = live_server
    seed_demo_patents(20)
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_case(case, center.unit, center.staff["foreign_assistance"], "请联系展会主办方")
    db.session.commit()
    patent = db.session.scalar(select(Patent).limit(1))
    organisation = db.session.scalar(select(Organisation).limit(1))

    for path in ("/", "/login", "/password/forgot", "/register"):
        visit(page, f"{base}{path}")

    log_in(page, base, center.reporter)
    page.goto(f"{base}/cases/{case.reference}")
    page.fill("#progress-form input[name=percent]", "40")
    page.fill("#progress-form textarea[name=note]", "已联系主办方。\n下周复查展位。")
    submit(page, "#progress-form [type=submit]")
    expect(page.locator("progress.report-progress")).to_have_attribute("value", "40")
    alert = page.locator(".alert-dismissible").first
    alert.locator(".btn-close").click()  # Bootstrap's alert script
    expect(alert).to_have_count(0)
    log_out(page)

    log_in(page, base, center.manager)
    for path in ("/", "/workspace/", f"/cases/{case.reference}", "/cases/", "/help/workflow", "/patents/?q=灯",
                 f"/patents/{patent.id}", f"/patents/{patent.id}/similar", "/patents/help", "/notifications/",
                 "/account", "/account/password", "/admin/organisations/",
                 f"/admin/organisations/{organisation.id}", "/admin/units/", "/admin/posts/", "/admin/users/",
                 "/admin/users/new", "/admin/audit/", "/admin/audit/?action=account.login&since=2026-01-01"):
        visit(page, f"{base}{path}")
    page.click("#user-menu")  # Bootstrap's dropdown script
    expect(page.locator("#user-menu + .dropdown-menu")).to_be_visible()
    submit(page, "#language-switch")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    log_out(page)

    log_in(page, base, center.enterprise)
    for path in ("/cases/", "/cases/new", "/cases/new/consultation", "/organisation"):
        visit(page, f"{base}{path}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click(".navbar-toggler")  # Bootstrap's collapse script
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))

    assert violations == []
