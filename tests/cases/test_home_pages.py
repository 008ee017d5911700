"""Each person's first page says what needs them now: staff their late and due cases and the unread news, the
manager the same across every post with the late posts and the quiet units, the enterprise what it is asked
first, the unit what it was asked to do. Every count links to the list it counts."""
import re
from datetime import timedelta

import pytest

from ipcenter.calendar import add_working_days, center_today
from ipcenter.cases.operations import delegate_case, report_progress
from ipcenter.extensions import db
from tests.cases.conftest import make_case
from tests.cases.test_lists import references


def count_in(page: str, card: str) -> int:
    return int(re.search(rf'id="{card}">(\d+)<', page).group(1))


def link_of(page: str, card: str) -> str:
    return re.search(rf'<a [^>]*id="{card}-link" href="([^"]+)"', page).group(1).replace("&amp;", "&")


@pytest.fixture
def late_and_due(center):
    """The consultation staff member's cases: one late, one due today, one due in two working days, one later;
    and an unassigned one; a colleague's late case."""
    staff, colleague = center.staff["consultation"], center.colleague["consultation"]
    today = center_today()
    dates = {"late": today - timedelta(days=1), "today": today, "soon": add_working_days(today, 2),
             "later": add_working_days(today, 10)}
    cases = {}
    for name, due in dates.items():
        cases[name] = make_case(center, "consultation", title=f"{name}咨询")
        cases[name].assignee_id, cases[name].due_date = staff.id, due
    cases["unassigned"] = make_case(center, "consultation")
    cases["colleague_late"] = make_case(center, "consultation")
    cases["colleague_late"].assignee_id, cases["colleague_late"].due_date = colleague.id, dates["late"]
    db.session.commit()
    return cases


def test_staff_see_their_late_and_due_cases_and_each_count_leads_to_its_list(client, login_as, center, late_and_due):
    login_as(center.staff["consultation"])
    page = client.get("/").get_data(as_text=True)
    counts = {card: count_in(page, card) for card in ("count-overdue", "count-today", "count-soon",
                                                       "count-unassigned")}
    assert counts == {"count-overdue": 1, "count-today": 1, "count-soon": 1, "count-unassigned": 1}
    overdue = client.get(link_of(page, "count-overdue"))
    assert references(overdue) == [late_and_due["late"].reference]
    finder = overdue.get_data(as_text=True).split('id="case-finder"')[1]
    assert '<input type="hidden" name="urgency" value="overdue">' in finder and ">Overdue</span>" in finder
    odd = client.get("/cases/find?urgency=overdue&endpoint=x&_anchor=top&page=2")  # parameters kept as such
    assert odd.status_code == 200  # the pager built its links with them as url_for's own: a 500
    assert 'id="urgency-filter-off" href="/cases/find?endpoint=x&amp;_anchor=top"' in odd.get_data(as_text=True)
    assert references(client.get(link_of(page, "count-soon"))) == [late_and_due["soon"].reference]
    assert references(client.get(link_of(page, "count-unassigned"))) == [late_and_due["unassigned"].reference]
    listed = page.split('id="heading-overdue"')[1].split("News you have not read")[0]
    assert listed.index(late_and_due["late"].reference) < listed.index(late_and_due["today"].reference)
    assert late_and_due["later"].reference not in listed and late_and_due["colleague_late"].reference not in listed


def test_a_case_waiting_on_the_enterprise_is_not_late_for_the_center(client, login_as, center):
    waiting = make_case(center, "patent_filing", "awaiting_materials")
    waiting.assignee_id, waiting.due_date = center.staff["filing"].id, center_today() - timedelta(days=1)
    db.session.commit()
    login_as(center.staff["filing"])
    page = client.get("/").get_data(as_text=True)
    assert count_in(page, "count-overdue") == 0 and 'id="nothing-urgent"' in page


def test_the_manager_sees_every_post_the_late_posts_and_the_quiet_units(client, login_as, center, late_and_due,
                                                                         monkeypatch):
    delegated = make_case(center, "foreign_assistance", "in_progress")
    delegate_case(delegated, center.unit, center.manager, "请联系展会主办方")
    db.session.commit()
    login_as(center.manager)
    assert 'id="quiet-units"' not in client.get("/").get_data(as_text=True)  # delegated today
    a_month_on = center_today() + timedelta(days=30)  # the unit never reported
    monkeypatch.setattr("ipcenter.cases.agenda.center_today", lambda: a_month_on)
    page = client.get("/").get_data(as_text=True)
    assert count_in(page, "count-overdue") == 2  # the staff member's and the colleague's
    per_post = page.split('id="overdue-per-post"')[1].split("</ul>")[0]
    assert "consultation post" in per_post and ">2</a>" in per_post
    quiet = page.split('id="quiet-units"')[1].split("</ul>")[0]
    assert center.unit.name_zh in quiet and f"last heard of on {center_today().isoformat()}" in quiet


def test_unread_news_shows_until_read(client, login_as, center):
    case = make_case(center, "consultation")
    case.delegated_unit = center.unit
    db.session.commit()
    login_as(center.reporter)
    client.submit(f"/cases/{case.reference}/progress", {"percent": "40", "note": "已提交材料",
                                                        "submission_key": ""}, page=f"/cases/{case.reference}")
    client.submit("/logout", page="/")
    login_as(center.staff["consultation"])
    assert 'id="news"' in client.get("/").get_data(as_text=True)
    client.submit("/notifications/read", page="/notifications/")
    assert "No news since you last looked." in client.get("/").get_data(as_text=True)


def test_the_enterprise_sees_first_what_it_is_asked_then_its_open_cases_then_its_results(client, login_as, center):
    asked = make_case(center, "patent_filing", "awaiting_materials", title="补充材料的吸顶灯")
    open_case = make_case(center, "consultation", title="正在办理的咨询")
    answered = make_case(center, "consultation", "answered", title="已答复的咨询")
    login_as(center.enterprise)
    page = client.get("/").get_data(as_text=True)
    assert page.index('id="heading-asked"') < page.index(asked.reference) < page.index('id="heading-open"') \
        < page.index(open_case.reference) < page.index('id="heading-results"') < page.index(answered.reference)
    for heading, case in (("asked", asked), ("open", open_case), ("results", answered)):
        link = re.search(rf'id="heading-{heading}"><a href="([^"]+)"', page).group(1).replace("&amp;", "&")
        assert references(client.get(link)) == [case.reference]  # the list the heading counts

    listed = client.get(link).get_data(as_text=True)  # the results: the list says so, and keeps it when filtered
    assert re.search(r'id="urgency-filter">Only: <span[^>]*>Results of the last three months</span>', listed)
    assert '<input type="hidden" name="urgency" value="results">' in listed.split('id="case-filters"')[1]
    every = re.search(r'id="urgency-filter-off" href="([^"]+)"', listed).group(1).replace("&amp;", "&")
    assert "urgency" not in every and sorted(references(client.get(every))) == sorted(
        case.reference for case in (asked, open_case, answered))


def test_an_enterprise_with_nothing_yet_is_told_what_to_do(client, login_as, center):
    login_as(center.enterprise)
    page = client.get("/").get_data(as_text=True)
    assert "Nothing is asked of you now." in page and 'href="/cases/new">Make a new request.</a>' in page


def test_the_unit_reads_its_brief_and_when_it_last_reported(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_case(case, center.unit, center.manager, "请出具侵权比对意见")
    db.session.commit()
    login_as(center.reporter)
    card = client.get("/").get_data(as_text=True).split(f'data-reference="{case.reference}"')[1]
    assert "请出具侵权比对意见" in card and "No report from you yet." in card
    report_progress(case, center.reporter, 50, "比对完成一半")
    db.session.commit()
    card = client.get("/").get_data(as_text=True).split(f'data-reference="{case.reference}"')[1]
    assert "Your last report: today" in card


def test_the_unit_knows_when_the_center_expects_its_next_report(client, login_as, center, monkeypatch):
    """Every ten working days from the delegation or the last report, and never after the case's deadline."""
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_case(case, center.unit, center.manager, "请出具侵权比对意见")
    today = center_today()
    case.due_date = add_working_days(today, 30)
    db.session.commit()
    login_as(center.reporter)

    def next_report(page: str) -> str:
        card = page.split(f'data-reference="{case.reference}"')[1]
        return re.search(r"<span data-next-report class=\"([^\"]*)\">([^<]+)</span>", card).groups()

    assert next_report(client.get("/").get_data(as_text=True)) == (
        "", f"Next report expected by {add_working_days(today, 10).isoformat()}")
    case.due_date = add_working_days(today, 4)
    db.session.commit()
    assert next_report(client.get("/").get_data(as_text=True))[1].endswith(case.due_date.isoformat())
    later = add_working_days(today, 12)
    monkeypatch.setattr("ipcenter.cases.agenda.center_today", lambda: later)
    assert next_report(client.get("/").get_data(as_text=True))[0] == "text-danger fw-bold"
    report_progress(case, center.reporter, 50, "比对完成一半")  # reported today (the clock of the report is real)
    db.session.commit()
    card = client.get("/").get_data(as_text=True).split(f'data-reference="{case.reference}"')[1]
    assert "Your last report: " + today.isoformat() + ", 12 working days ago" in card
