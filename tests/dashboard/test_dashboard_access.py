"""Who reads the dashboard, of which posts; and what a mistyped filter is told."""
import re
from datetime import date

import pytest

from tests.dashboard.test_figures import OCTOBER, rows_of, table


def test_staff_read_the_figures_of_their_own_posts_only(client, login_as, center, october):
    login_as(center.staff["pre_examination"])
    page = client.get(OCTOBER).get_data(as_text=True)
    choices = page.split('id="post"')[1].split("</select>")[0]
    assert "All my posts" in choices and "pre_examination post" in choices and "intake post" not in choices
    assert rows_of(page, "compliance-per-post") == {"pre_examination post": ["5", "4", "80.0%"]}
    assert list(rows_of(page, "per-kind")) == ["Fast pre-examination and authorization"]
    assert rows_of(page, "overdue-per-post") == {"Nothing is overdue.": []}


def test_staff_cannot_read_another_posts_figures_by_its_id(client, login_as, center, october):
    login_as(center.staff["pre_examination"])
    response = client.get(OCTOBER + f"&post={center.posts['filing'].id}")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert client.get(f"/dashboard/report.csv?month=2026-10&post={center.posts['filing'].id}").status_code == 400


def test_the_manager_narrows_to_one_post_and_one_kind(client, login_as, center, october):
    login_as(center.manager)
    page = client.get(OCTOBER + f"&post={center.posts['filing'].id}").get_data(as_text=True)
    assert rows_of(page, "overdue-per-post") == {"filing post": ["1"]}
    assert rows_of(page, "compliance-per-post") == {"No stage was finished in the period.": []}
    page = client.get(OCTOBER + "&type=consultation").get_data(as_text=True)
    assert list(rows_of(page, "per-kind")) == ["Consultation"] and 'id="pre-examination"' not in page
    assert table(page, "open-by-stage")[1:] == [["Consultation · Answering", "1"]]


@pytest.mark.parametrize("viewer", ["enterprise", "reporter"])
def test_enterprises_and_units_have_no_dashboard(client, login_as, center, viewer):
    login_as(getattr(center, viewer))
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/report.xlsx?month=2026-10").status_code == 403


def test_a_visitor_is_asked_to_log_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("query, field, message", [
    ("first=2026-10-31&last=2026-10-01", "last", "The period ends before it starts"),
    ("first=2020-01-01&last=2026-10-31", "last", "Choose a period of at most five years"),
    ("first=31/10/2026", "first", "Not a valid date value"),
    ("failure=150", "failure", "Number must be between 0 and 100"),
    ("quiet=abc", "quiet", "Not a valid integer value"),
    ("month=2026-13", "month", "Give a month as year and month"),
    ("month=0001-01", "month", "Choose a month from 2000 to 2099."),
    ("month=abc", "month", "Give a month as year and month"),
    ("last=0001-12-31", "last", "Choose a date from 2000 to 2099."),
    ("first=2099-12-30", "first", "Without an end the period ends today: choose a start no later than today."),
])
def test_a_mistyped_filter_is_named_beside_its_field(client, login_as, center, query, field, message):
    login_as(center.manager)
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page
    assert page.count('class="invalid-feedback') == 1  # one message, beside its field
    assert '"None"' not in page
    # The report asked with the same filters: the page again, saying what to mend, and a month to offer.
    report = client.get(f"/dashboard/report.csv?{query}")
    assert report.status_code == 400 and report.mimetype == "text/html"
    assert f'id="{field}-error">{message}' in report.get_data(as_text=True)
    assert re.search(r'id="month" name="month" required\s+value="\d{4}-\d{2}"', report.get_data(as_text=True))


def test_a_mistyped_filter_is_told_in_chinese_too(client, login_as, center):
    center.manager.language = "zh"
    login_as(center.manager)
    page = client.get("/dashboard?quiet=abc&first=31/10/2026").get_data(as_text=True)
    assert 'id="quiet-error">不是有效的整数' in page and 'id="first-error">不是有效的日期' in page


def test_the_dashboard_and_the_report_speak_chinese(client, login_as, center, october):
    center.manager.language = "zh"
    login_as(center.manager)
    client.post("/language/zh")
    page = client.get(OCTOBER).get_data(as_text=True)
    assert "<h1 class=\"h3 mb-3\">数据看板</h1>" in page
    assert rows_of(page, "pre-examination")["合格率"] == ["50.0%"]
    report = client.get("/dashboard/report.csv?month=2026-10").data.decode("utf-8-sig")
    assert "按类型统计的请求" in report and "快速预审与授权,1,2,2,1,0,6,6,0" in report


def test_from_november_the_dashboard_asks_the_manager_for_next_years_holidays(client, login_as, center,
                                                                              monkeypatch):
    monkeypatch.setattr("ipcenter.dashboard.forms.center_today", lambda: date(2026, 11, 2))
    login_as(center.manager)
    assert 'id="calendar-missing-2027"' in client.get("/dashboard").get_data(as_text=True)
    client.submit("/calendar/2027/schedule", {"text": "2027-01-01,2027-01-01,元旦"})
    assert 'id="calendar-missing-2027"' not in client.get("/dashboard").get_data(as_text=True)
