"""Center staff find a case by what they have at hand: a reference read out on the phone, an enterprise's name
or credit code, an application or patent number typed as it is printed, or words of the request; and narrow
any list by assignee, post, and due, submission and closing dates."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from ipcenter.calendar import center_today
from ipcenter.cases.models import Case
from ipcenter.cases.queries import case_search
from ipcenter.extensions import db
from tests.cases.conftest import make_case
from tests.cases.test_lists import references
from tests.conftest import make_organisation, make_user


@pytest.fixture
def cases(center):
    other = make_user(organisation=make_organisation(name_zh="中山市古镇明珠灯饰厂", name_en="Mingzhu Lighting"))
    lamp = make_case(center, "patent_filing", "drafting", title="六臂水晶吊灯")
    lamp.application_number, lamp.patent_number = "CN202130123456.8", "ZL202130123456.8"  # as the app stores them
    question = make_case(center, "consultation", title="展会维权咨询", description="广交会上发现仿冒的壁灯")
    old = make_case(center, "consultation", "closed", title="去年的商标咨询")
    mingzhu = make_case(center, "consultation", title="出口许可咨询")
    mingzhu.organisation_id = other.organisation_id
    db.session.commit()
    return {"lamp": lamp, "question": question, "old": old, "mingzhu": mingzhu, "other": other.organisation}


@pytest.mark.parametrize(("typed", "found"), [
    ("ZS-2026", {"lamp", "question", "old", "mingzhu"}),
    ("吊灯", {"lamp"}),                       # a word of the title
    ("仿冒", {"question"}),                   # a word of the description
    ("明珠", {"mingzhu"}),                    # the enterprise's name
    ("mingzhu", {"mingzhu"}),                 # its English name, in any case
    ("2021 3 0123456.8", {"lamp"}),           # the application number as printed, check digit and all
    ("202130123456", {"lamp"}),               # without its check digit
    ("ZL 2021 3012 3456.8", {"lamp"}),        # the patent number as printed
    ("明珠 出口", {"mingzhu"}),                # two words, in the enterprise's name and the title
    ("ＺＬ２０２１３０１２３４５６８", {"lamp"}),  # the patent number typed full-width
    ("商标", {"old"}),                        # a closed case is found again
    ("100%", set()),                          # a percent sign is itself, not a wildcard
])
def test_staff_find_a_case_by_what_they_have_at_hand(client, login_as, center, cases, typed, found):
    login_as(center.staff["consultation"])
    answer = client.get("/cases/find", query_string={"q": typed})
    assert answer.status_code == 200
    assert set(references(answer)) == {cases[name].reference for name in found}


def test_an_enterprise_is_found_by_its_credit_code_whole_in_part_or_spaced(client, login_as, center, cases):
    login_as(center.staff["intake"])
    code = cases["other"].credit_code
    grouped = " ".join(code[n:n + 4] for n in range(0, 18, 4))  # read out in fours: 9144 2000 MA4W K7Q3 XN
    for typed in (code.lower(), code[-10:], f"{code[:6]} {code[6:]}", grouped):  # its own part, after the region's
        assert references(client.get("/cases/find", query_string={"q": typed})) == [cases["mingzhu"].reference]
    assert references(client.get("/cases/find", query_string={"q": code[-5:]})) == []  # too short to be a code's


def test_the_finder_narrows_by_assignee_post_and_dates_and_keeps_them_through_pages(client, login_as, center, cases):
    staff = center.staff["consultation"]
    cases["question"].assignee_id = staff.id
    cases["question"].due_date = center_today() + timedelta(days=3)
    db.session.commit()
    login_as(staff)
    assert references(client.get(f"/cases/find?assignee={staff.id}")) == [cases["question"].reference]
    post = center.posts["consultation"].id
    assert set(references(client.get(f"/cases/find?post={post}&state=open"))) == {
        cases["question"].reference, cases["mingzhu"].reference}
    soon, later = center_today() + timedelta(days=2), center_today() + timedelta(days=4)
    assert references(client.get(f"/cases/find?due_from={soon}&due_to={later}")) == [cases["question"].reference]
    today = center_today()
    assert references(client.get(f"/cases/find?closed_from={today}&closed_to={today}")) == [cases["old"].reference]
    assert references(client.get(f"/cases/find?created_to={today - timedelta(days=1)}")) == []
    for _ in range(21):
        make_case(center, "consultation", title="吊灯安装咨询")
    first = client.get("/cases/find?q=咨询&state=open&sort=oldest").get_data(as_text=True)
    assert 'href="/cases/find?q=%E5%92%A8%E8%AF%A2&amp;state=open&amp;sort=oldest&amp;page=2"' in first


def test_a_date_that_is_no_date_is_said_beside_the_list_not_a_500(client, login_as, center, cases):
    login_as(center.staff["consultation"])
    answer = client.get("/cases/find?due_from=2026-02-30&q=咨询")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "“2026-02-30” is not a date such as 2026-11-26; that filter is left out." in page
    assert cases["question"].reference in references(answer)


def test_a_range_that_ends_before_it_starts_is_said_and_left_out(client, login_as, center, cases):
    login_as(center.staff["consultation"])
    answer = client.get("/cases/find?due_from=2026-12-10&due_to=2026-12-01&q=咨询")
    assert answer.status_code == 400
    assert "The range from 2026-12-10 to 2026-12-01 ends before it starts; it is left out." in answer.get_data(
        as_text=True)
    assert cases["question"].reference in references(answer)


def test_only_the_center_finds_cases(client, login_as, center, cases):
    login_as(center.enterprise)
    assert client.get("/cases/find?q=明珠").status_code == 403
    login_as(center.reporter)
    assert client.get("/cases/find").status_code == 403


def test_the_workspace_search_box_leads_to_the_finder(client, login_as, center, cases):
    login_as(center.staff["consultation"])
    workspace = client.get("/workspace/").get_data(as_text=True)
    assert '<form method="get" action="/cases/find" role="search"' in workspace


@pytest.mark.parametrize(("typed", "index"), [
    ("六臂水晶", "ix_cases_searched_words_trigrams"),     # three characters or more: their trigrams
    ("吊灯", "ix_cases_searched_words_characters"),       # fewer (most Chinese words): their characters
    ("2021 3 0123456.8", "ix_cases_searched_numbers_trigrams"),
])
def test_on_postgresql_a_case_is_found_from_the_indexes_not_by_reading_every_case(app, center, cases, typed, index):
    """At a million cases, reading each one takes seconds: the finder asks for the very expressions indexed."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the finder's indexes are PostgreSQL's; SQLite reads every case")
    compiled = select(Case.id).where(case_search(typed)).compile(
        dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a few test cases are read faster one by one
    plan = "\n".join(line for (line,) in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params))
    assert f"Bitmap Index Scan on {index}" in plan


def test_a_closed_case_is_nobodys_work_and_is_not_called_unassigned(client, login_as, center, cases):
    login_as(center.staff["consultation"])
    page = client.get("/cases/find?q=商标").get_data(as_text=True)
    row = page.split(f'data-reference="{cases["old"].reference}"')[1].split("</tr>")[0]
    assert "Unassigned" not in row
    open_row = client.get("/cases/find?q=仿冒").get_data(as_text=True).split('data-reference="')[1].split("</tr>")[0]
    assert "Unassigned" in open_row
