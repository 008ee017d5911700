"""The manager reads October's figures in Chromium, on a phone in Chinese and at a desk in English: the charts
are drawn from their tables, a filter narrows them, October's report downloads and opens (axe checks each page)."""
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from ipcenter.extensions import db
from tests.browser.conftest import log_in, submit
from tests.cases.conftest import make_case
from tests.dashboard.conftest import october  # noqa: F401 (the fixture)
from tests.dashboard.test_figures import EXPECTED_KINDS

pytestmark = pytest.mark.browser
SCREENS = [("zh", 390), ("en", 1280)]


@pytest.mark.parametrize(("language", "width"), SCREENS)
def test_the_manager_reads_filters_and_downloads_octobers_report(page, live_server, center, october,  # noqa: F811
                                                                 language, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, center.manager)
    page.goto(f"{live_server}/dashboard?first=2026-10-01&last=2026-10-31")
    for canvas in page.locator("canvas[data-table]").all():
        charted = canvas.evaluate("canvas => Chart.getChart(canvas).data.datasets.map(set => set.data)")
        tabled = canvas.evaluate("""canvas => canvas.dataset.columns.split(',').map(column =>
            Array.from(document.getElementById(canvas.dataset.table).tBodies[0].rows,
                       row => parseFloat(row.cells[column].dataset.value || '0')))""")
        assert charted == tabled and charted[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.select_option("#type", "consultation")
    submit(page, "#apply-filters")
    expect(page.locator("#per-kind tbody tr")).to_have_count(1)
    expect(page.locator("#pre-examination")).to_have_count(0)
    page.fill("#month", "2026-10")
    with page.expect_download() as download:
        page.click("#monthly-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    kinds = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [list(row)[1:] for row in kinds] == [EXPECTED_KINDS[3][1:]]  # the consultation, as filtered


def test_staff_on_a_phone_read_their_posts_figures(page, live_server, center, october):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server, center.staff["pre_examination"])
    page.click(".navbar-toggler")
    submit(page, "#nav-dashboard")
    expect(page.locator("#post")).to_contain_text("All my posts")
    page.goto(f"{live_server}/dashboard?first=2026-10-01&last=2026-10-31")
    expect(page.locator("#compliance-per-post tbody tr")).to_have_count(1)
    expect(page.locator("#pre-examination-per-enterprise tbody tr.table-danger")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_table_with_nothing_to_chart_has_no_chart_and_the_charts_after_it_are_drawn(page, live_server, center,
                                                                                    october):  # noqa: F811
    failures = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    log_in(page, live_server, center.manager)
    # September, fast pre-examination: no such case open now, nothing finished or rated in the month.
    page.goto(f"{live_server}/dashboard?first=2026-09-01&last=2026-09-30&type=fast_pre_examination")
    expect(page.locator("#open-by-stage tbody")).to_have_text("No open cases.")
    for empty in ("open-by-stage", "compliance-per-post", "satisfaction-per-kind"):
        expect(page.locator(f"canvas[data-table='{empty}']")).to_be_hidden()
    assert page.locator("canvas[data-table='weekly']").evaluate("canvas => Chart.getChart(canvas) !== undefined")
    expect(page.locator("#compliance-per-month tbody")).to_have_text("No stage was finished in the period.")
    assert failures == []


def test_two_stages_whose_shortened_names_would_read_the_same_are_told_apart_on_the_chart(page, live_server,
                                                                                         center):
    for stage in ("pre_examination", "passed"):  # "Fast pre-ex…re-examination" both, once shortened
        make_case(center, "fast_pre_examination", stage)
    db.session.commit()
    log_in(page, live_server, center.manager)
    page.goto(f"{live_server}/dashboard")
    labels = page.locator("canvas[data-table='open-by-stage']").evaluate(
        "canvas => Chart.getChart(canvas).scales.y.ticks.map(tick => tick.label)")
    assert len(labels) == 2 and len(set(labels)) == 2 and all("…" in label for label in labels), labels
