"""The case lists on a phone and on a desktop; the request form refusing too-large files before sending, and
making one case however often it is sent."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from ipcenter.cases.models import Case
from ipcenter.cases.operations import add_note
from ipcenter.extensions import db
from tests.browser.conftest import ARTIFACTS, log_in, submit
from tests.cases.conftest import make_case

pytestmark = pytest.mark.browser

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture
def tab(browser):
    """A browser tab of the size and language a test asks for."""
    contexts = []

    def open_tab(viewport, language):
        context = browser.new_context(viewport=viewport, locale={"zh": "zh-CN", "en": "en-US"}[language])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def cases_in_every_state(center):
    make_case(center, "consultation", title="外观设计专利保护期限与续展的咨询，以及海外申请的费用")
    make_case(center, "patent_filing", "drafting")
    overdue = make_case(center, "fast_pre_examination", "pre_examination")
    overdue.due_date = overdue.due_date.replace(year=2020)
    overdue.assignee = center.staff["pre_examination"]
    db.session.commit()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("who, url", [("enterprise", "/cases/?state=all"), ("manager", "/workspace/?tab=all")])
def test_case_lists_are_cards_on_a_phone_and_a_table_on_a_desktop(tab, live_server, center, who, url, language):
    cases_in_every_state(center)
    getattr(center, who).language = language
    db.session.commit()
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = tab(viewport, language)
        log_in(page, live_server, getattr(center, who))
        page.goto(live_server + url)
        expect(page.locator("#case-table tbody tr")).to_have_count(3)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"case-list-{who}-{name}-{language}.png"), full_page=True)
        scrolls = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        row_display = page.evaluate("getComputedStyle(document.querySelector('#case-table tbody tr')).display")
        header_shown = page.locator("#case-table thead").is_visible()
        if name == "phone":
            assert (scrolls, row_display, header_shown) == (False, "block", False)
            card = page.locator("#case-table tbody tr").first.bounding_box()
            assert card["x"] >= 0 and card["x"] + card["width"] <= 390
        else:
            assert (scrolls, row_display, header_shown) == (False, "table-row", True)


def test_too_large_files_are_refused_before_sending_and_the_form_keeps_what_was_typed(app, page, live_server,
                                                                                      center):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    log_in(page, live_server, center.enterprise)
    page.goto(f"{live_server}/cases/new/fast_retrieval")
    page.fill("#title", "吊灯新颖性检索")
    page.fill("#description", "请检索类似吊灯外观")
    page.fill("#target_description", "六臂水晶吊灯，金色灯臂")
    page.set_input_files("#files", files=[{"name": "大图.png", "mimeType": "image/png",
                                           "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100_000}])
    page.click("#request-form [type=submit]")
    expect(page.locator(".upload-limit-error")).to_have_text(
        "These files are too large to send: at most 0.0625 MB can be sent at once. Choose fewer or smaller files; "
        "what you typed is kept.")
    assert page.url.endswith("/cases/new/fast_retrieval")
    expect(page.locator("#title")).to_have_value("吊灯新颖性检索")
    expect(page.locator("#target_description")).to_have_value("六臂水晶吊灯，金色灯臂")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_going_back_and_sending_the_request_again_makes_no_second_case(page, live_server, center, language):
    """Back reloads the form (signed-in pages are never cached); Chromium fills in what was typed again."""
    log_in(page, live_server, center.enterprise)
    page.goto(f"{live_server}/cases/new/consultation")
    page.fill("#title", "外观专利保护期限")
    page.fill("#description", "外观设计专利保护多少年？")
    page.select_option("#topic", "patent_rights")
    submit(page, "#request-form [type=submit]")
    reference = page.url.rsplit("/", 1)[-1]
    page.go_back()
    page.wait_for_load_state("load")
    expect(page.locator("#form-sent")).to_contain_text(reference)
    page.fill("#title", "外观专利保护期限")
    page.fill("#description", "外观设计专利保护多少年？")
    page.select_option("#topic", "patent_rights")
    submit(page, "#request-form [type=submit]")
    assert page.url.endswith(f"/cases/{reference}")
    assert db.session.scalar(select(func.count(Case.id))) == 1


def as_cards_or_table(page, table: str, width: int) -> tuple:
    """(the page scrolls sideways, how a row is shown, the header row is visible); each row inside the screen."""
    row = page.locator(f"{table} tbody tr").first
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    return (page.evaluate("document.documentElement.scrollWidth > window.innerWidth"),
            row.evaluate("row => getComputedStyle(row).display"), page.locator(f"{table} thead").is_visible())


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("url, table", [("/admin/users/", "#user-table"), ("/admin/audit/", "#audit-table")])
def test_the_managers_lists_are_cards_on_a_phone_and_a_table_on_a_desktop(tab, live_server, center, url, table,
                                                                            language):
    center.manager.language = language
    db.session.commit()
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = tab(viewport, language)
        log_in(page, live_server, center.manager)  # on the audit log too
        page.goto(live_server + url)
        page.screenshot(path=str(ARTIFACTS / f"{table[1:]}-{name}-{language}.png"), full_page=True)
        shown = as_cards_or_table(page, table, viewport["width"])
        assert shown == ((False, "block", False) if name == "phone" else (False, "table-row", True))
        if name == "phone":  # each value under its label, the first on top
            email = page.locator(f"{table} tbody td[data-label]").first
            assert email.evaluate("td => getComputedStyle(td, '::before').content") != "none"


# The widest value the menu offers, as the select draws it: its text must fit between its paddings (the arrow).
PER_PAGE_FITS = """() => {
  const menu = document.querySelector('select[name=per_page]');
  menu.value = '100';
  const style = getComputedStyle(menu);
  const context = document.createElement('canvas').getContext('2d');
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = context.measureText(menu.options[menu.selectedIndex].text).width;
  return [text, menu.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)];
}"""


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("who, url", [("enterprise", "/cases/"), ("manager", "/workspace/?tab=all")])
def test_the_per_page_menu_is_wide_enough_to_read(tab, live_server, center, who, url, language):
    getattr(center, who).language = language
    db.session.commit()
    for viewport in (PHONE, DESKTOP):
        page = tab(viewport, language)
        log_in(page, live_server, getattr(center, who))
        page.goto(live_server + url)
        text, room = page.evaluate(PER_PAGE_FITS)
        assert text <= room, f"“100 per page” needs {text:.0f} px, the menu has {room:.0f} px at {viewport['width']}"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_long_unbroken_note_wraps_on_a_phone_instead_of_widening_the_case_page(tab, live_server, center, language):
    address = "https://www.example.cn/" + "a1b2c3" * 100  # a pasted search address, 600 characters without a space
    case = make_case(center, "consultation", title="灯" * 3 + "X" * 120, description=address)
    add_note(case, center.staff["consultation"], f"见 {address}")
    db.session.commit()
    page = tab(PHONE, language)
    log_in(page, live_server, center.staff["consultation"])
    page.goto(f"{live_server}/cases/{case.reference}")
    expect(page.locator(".timeline-entry").first).to_contain_text("a1b2c3a1b2c3")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{live_server}/notifications/")  # its news: the title in the message
    expect(page.locator("#notifications")).to_contain_text("XXXXXXXX")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    desk = tab(DESKTOP, language)  # in a table the long title takes its own column's room, not the others'
    log_in(desk, live_server, center.manager)
    desk.goto(f"{live_server}/cases/find?q={case.reference}")
    post = desk.locator(f"[data-reference='{case.reference}'] td[data-label]").nth(2)
    assert post.bounding_box()["width"] > 80
    assert desk.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
