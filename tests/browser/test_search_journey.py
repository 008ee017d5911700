"""The searcher's journey in a real browser: search in Chinese and English, narrow by a facet, record the
search, cite three into a fast-retrieval case, open a patent and its similar ones with the case still in hand
and cite one more from there, deliver the search report, and the enterprise downloads it."""
import io
import re
from datetime import date

import pytest
from docx import Document
from playwright.sync_api import expect

from ipcenter.accounts.models import Role
from ipcenter.extensions import db
from ipcenter.patents.demo import seed_demo_patents
from tests.browser.conftest import ARTIFACTS, log_in, log_out, perform, submit
from tests.cases.conftest import make_case
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def search(page, query: str) -> None:
    page.fill("#q", query)
    submit(page, "#search-button")
    expect(page.locator("#result-count")).to_contain_text("found")


def test_search_cite_three_deliver_and_the_enterprise_downloads(page, live_server, center):
    base = live_server
    seed_demo_patents(400)
    db.session.commit()
    sooner = make_case(center, "fast_retrieval", "searching", due_date=date(2020, 1, 1))
    sooner.organisation = center.other_enterprise.organisation  # another enterprise's case, first in any list
    case = make_case(center, "fast_retrieval", "searching")
    db.session.commit()

    log_in(page, base, center.staff["retrieval"])
    page.goto(f"{base}/cases/{case.reference}")
    page.click("#search-for-case")
    expect(page.locator("#citing-case")).to_contain_text(case.reference)
    search(page, "吊灯")
    expect(page.locator("#results mark").first).to_contain_text("吊灯")
    search(page, "crystal chandelier")
    expect(page.locator("#results mark").first).to_have_text(re.compile("crystal|chandelier", re.I))
    search(page, "ti:吊灯 AND pd:[2016 TO *]")
    design = page.locator("[data-facet=type] a[data-value=design]")
    expected = design.locator("xpath=following-sibling::span").get_attribute("data-count")
    with page.expect_navigation():
        design.click()
    expect(page.locator("#result-count")).to_contain_text(f"{expected} patent")
    submit(page, "#record-search-button")
    expect(page.locator(".alert-success")).to_contain_text(f"recorded in the report of {case.reference}")
    expect(page.locator("[data-facet=type] a[data-value=design]")).to_contain_text("✓")  # still narrowed

    cited = []
    for index, category in enumerate("XYA"):
        result = page.locator("#results .result").nth(index)
        cited.append(result.locator(".pn").inner_text())
        patent_id = result.locator("input[name=patent_id]").get_attribute("value")
        page.select_option(f"#cite-category-{patent_id}", category)
        page.fill(f"#cite-note-{patent_id}", f"{category}类：公开了相同的灯臂结构")
        submit(page, f"#cite-{patent_id}")
        expect(page.locator("#citing-case")).to_be_visible()

    page.locator("#results .result h3 a").nth(3).click()  # a patent not cited yet
    expect(page.locator("#patent-title")).to_contain_text("吊灯")
    expect(page.locator(".cite-form select[name=case]")).to_have_value(case.reference)
    expect(page.locator("#similar li")).not_to_have_count(0)
    page.get_by_role("link", name="All similar patents").click()
    expect(page.locator("#citing-case")).to_contain_text(case.reference)
    similar = page.locator("#results .result").filter(has_not=page.locator(".existing-citation")).first
    patent_id = similar.locator("input[name=patent_id]").get_attribute("value")
    cited.append(similar.locator(".pn").inner_text())
    page.fill(f"#cite-note-{patent_id}", "相似检索中找到的同类吊灯")
    submit(page, f"#cite-{patent_id}")
    expect(page.locator(".alert-success")).to_contain_text(case.reference)
    expect(page.locator("h1")).to_contain_text("Patents like")  # back where the searcher was
    expect(page.locator(f"#existing-citation-{patent_id}")).to_contain_text(case.reference)

    page.goto(f"{base}/cases/{case.reference}")
    for number in cited:
        expect(page.locator("#report-citations")).to_contain_text(number)
    expect(page.locator("#report-searches")).to_contain_text("ti:吊灯 AND pd:[2016 TO *]")
    page.fill("#conclusion-form textarea", "检索到一篇X类文件，新颖性存疑。")
    submit(page, "#save-conclusion")
    perform(page, "deliver_report")
    expect(page.locator("#stepper [aria-current=step]")).to_contain_text("Search report delivered")
    log_out(page)

    log_in(page, base, center.enterprise)
    page.goto(f"{base}/cases/{case.reference}")
    expect(page.locator("#report-conclusion")).to_contain_text("新颖性存疑")
    with page.expect_download() as download:
        page.click("#report-docx")
    with open(download.value.path(), "rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    text = "\n".join([p.text for p in document.paragraphs] +
                     [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    assert "新颖性存疑" in text and all(number.replace(" ", "") in text.replace(" ", "") for number in cited)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_on_a_phone_results_come_first_and_facets_fold_away(page, live_server, app, language):
    seed_demo_patents(300)
    searcher = make_user(Role.STAFF, language=language)
    db.session.commit()
    log_in(page, live_server, searcher)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/patents/?q=吊灯")
    first_hit = page.locator("#results .result").first.bounding_box()
    assert first_hit["y"] < page.locator("#facets").bounding_box()["y"] and first_hit["y"] < 844
    expect(page.locator("#facet-lists")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"search-phone-{language}.png"))  # the first screen a phone shows
    page.click("#facets-toggle")
    design = page.locator("[data-facet=type] a[data-value=design]")
    expect(design).to_be_visible()
    page.locator("#facets").screenshot(path=str(ARTIFACTS / f"search-phone-facets-{language}.png"))
    with page.expect_navigation():
        design.click()
    expect(page.locator("[data-facet=type] a.fw-bold")).to_have_count(1)

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("#facets-toggle")).to_be_hidden()
    expect(page.locator("[data-facet=year] a").first).to_be_visible()  # open on a desktop, beside the results
    assert page.locator("#facets").bounding_box()["x"] < page.locator("#results").bounding_box()["x"]
    page.screenshot(path=str(ARTIFACTS / f"search-desktop-{language}.png"))


def test_the_caret_stands_under_the_mistake_in_chinese_text(page, live_server, app):
    log_in(page, live_server, make_user(Role.STAFF, language="zh"))
    query = "ti:吸顶灯 AND （灯罩 OR 吊灯"
    page.goto(f"{live_server}/patents/?q={query}")
    mistake = query.index("（")
    under = page.eval_on_selector("#query-pointer", f"""pre => {{
        const range = document.createRange();
        range.setStart(pre.firstChild, {mistake});
        range.setEnd(pre.firstChild, {mistake + 1});
        return range.getBoundingClientRect().left;
    }}""")
    caret = page.locator("#query-pointer .caret").bounding_box()["x"]
    assert abs(caret - under) < 1


@pytest.mark.parametrize("language", ["zh", "en"])
def test_on_a_phone_the_search_report_of_a_case_stays_within_the_screen(page, live_server, center, language):
    """Its tables scroll in their own box: the page itself never scrolls sideways."""
    seed_demo_patents(60)
    db.session.commit()
    case = make_case(center, "fast_retrieval", "searching")
    db.session.commit()
    log_in(page, live_server, center.staff["retrieval"])
    page.goto(f"{live_server}/patents/?q=灯&case={case.reference}")
    submit(page, "#record-search-button")
    for index in range(2):
        result = page.locator("#results .result").nth(index)
        patent_id = result.locator("input[name=patent_id]").get_attribute("value")
        page.fill(f"#cite-note-{patent_id}", "灯臂造型与灯罩结构均相同，公开了权利要求1的全部技术特征")
        submit(page, f"#cite-{patent_id}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/cases/{case.reference}")
    expect(page.locator("#report-citations tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
