"""The journey of the satisfaction question in Chromium: the closing's email reaches the enterprise, its link leads
(through the login page) to the question on the case page, the enterprise rates the center's work, and the staff
of the post read the answer on the case. In Chinese and English, on a phone and at a desk; axe checks every page."""
import re

import pytest
from playwright.sync_api import expect

from ipcenter.cases.operations import advance_case
from ipcenter.extensions import db
from ipcenter.mail import write_queued_mail
from tests.browser.conftest import ARTIFACTS, forget_login, log_in, submit
from tests.cases.conftest import make_case
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SATISFIED = {"zh": "满意", "en": "Satisfied"}
THANKS = {"zh": "谢谢！您的评价已提交给中心。", "en": "Thank you: your answer is sent to the center."}
COMMENT = "答复很清楚，只是等了两天。"


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_enterprise_rates_from_the_emails_link_and_staff_read_it(page, live_server, center, mailbox, language,
                                                                     width):
    center.enterprise.language = language
    case = make_case(center, "consultation", "answered")
    advance_case(case, "close", center.staff["consultation"], comment="已答复，结案。")
    db.session.commit()
    write_queued_mail()
    [closing] = [m for m in mailbox() if m["To"] == center.enterprise.email]
    link = re.search(r"https?://[^/\s]+(/cases/\S+/satisfaction)\b", closing.get_content()).group(1)
    page.set_viewport_size({"width": width, "height": 844})

    page.goto(live_server + link)  # logged out: the login page first, then the question
    page.fill("#email", center.enterprise.email)
    page.fill("#password", PASSWORD)
    submit(page, "#login-form [type=submit]")
    assert page.url.endswith(f"/cases/{case.reference}#satisfaction")
    question = page.locator("#satisfaction-form")
    expect(question).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    submit(page, "#send-satisfaction")  # no score chosen: told beside the scale
    expect(page.locator("#score-error")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"satisfaction-question-{language}-{width}.png"), full_page=True)
    page.locator("#satisfaction-form").get_by_label(re.compile(rf"^4\s+{SATISFIED[language]}$")).check()
    page.fill("#satisfaction-comment-field", COMMENT)
    submit(page, "#send-satisfaction")
    expect(page.locator(".alert-success")).to_contain_text(THANKS[language])
    expect(page.locator("#satisfaction-score")).to_contain_text(f"4 / 5 · {SATISFIED[language]}")
    expect(page.locator("#satisfaction-form")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    forget_login(page)

    log_in(page, live_server, center.staff["consultation"])
    page.goto(f"{live_server}/cases/{case.reference}")
    expect(page.locator("#satisfaction-score")).to_contain_text("4 / 5")
    expect(page.locator("#satisfaction-comment")).to_have_text(COMMENT)
    expect(page.locator("#satisfaction-by")).to_contain_text(center.enterprise.display_name)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
