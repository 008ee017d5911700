"""The enterprise's list and the staff queues: filters, sorting, pages."""
import pytest

from ipcenter.extensions import db
from tests.cases.conftest import make_case


def references(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [chunk.split('"')[0] for chunk in html.split('data-reference="')[1:]]


def test_enterprise_list_filters_by_type_stage_and_state(client, login_as, center):
    answering = make_case(center, "consultation")
    closed = make_case(center, "consultation", "closed")
    filing = make_case(center, "patent_filing", "drafting")
    login_as(center.enterprise)
    assert set(references(client.get("/cases/?state=all"))) == {answering.reference, closed.reference,
                                                                 filing.reference}
    assert references(client.get("/cases/?type=patent_filing")) == [filing.reference]
    assert references(client.get("/cases/?stage=answering")) == [answering.reference]
    assert references(client.get("/cases/?state=closed")) == [closed.reference]
    assert set(references(client.get("/cases/?state=open"))) == {answering.reference, filing.reference}
    page = client.get("/cases/?type=consultation").get_data(as_text=True)
    assert 'value="answered"' in page and 'value="drafting"' not in page  # the type's own stages


def test_queue_tabs_pages_and_sorting(client, login_as, center):
    staff = center.staff["consultation"]
    cases = [make_case(center, "consultation") for _ in range(25)]
    login_as(staff)
    first = references(client.get("/workspace/?tab=unassigned&sort=oldest"))
    assert first == [c.reference for c in cases[:20]]
    second = client.get("/workspace/?tab=unassigned&sort=oldest&page=2")
    assert references(second) == [c.reference for c in cases[20:]] and 'id="next-page"' not in \
        second.get_data(as_text=True)
    assert references(client.get("/workspace/?tab=unassigned&sort=newest&per_page=100"))[0] == cases[-1].reference
    client.submit(f"/cases/{cases[0].reference}/assign", {"claim": "1", "version": cases[0].version}, page="/")
    assert references(client.get("/workspace/?tab=mine")) == [cases[0].reference]
    assert cases[0].reference not in references(client.get("/workspace/?tab=unassigned&per_page=100"))


def test_staff_see_only_their_posts_queues_and_managers_all(client, login_as, center):
    consultation = make_case(center, "consultation")
    retrieval = make_case(center, "fast_retrieval")
    login_as(center.staff["consultation"])
    assert references(client.get("/workspace/?tab=all")) == [consultation.reference]
    client.submit("/logout", page="/")
    login_as(center.manager)
    assert set(references(client.get("/workspace/?tab=all"))) == {consultation.reference, retrieval.reference}


def test_bad_filter_values_are_ignored_not_errors(client, login_as, center):
    make_case(center, "consultation")
    login_as(center.staff["consultation"])
    response = client.get("/workspace/?tab=nope&sort=drop&per_page=100000&page=-5&type=x&stage=y")
    assert response.status_code == 200 and len(references(response)) == 1


@pytest.fixture
def assigned_case(center):
    case = make_case(center, "consultation")
    case.assignee = center.staff["consultation"]
    case.assignee.display_name = "王预审"
    db.session.commit()
    return case


def test_the_enterprise_list_hides_the_assignee_as_the_case_page_does(client, login_as, center, assigned_case):
    login_as(center.enterprise)
    assert "王预审" not in client.get(f"/cases/{assigned_case.reference}").get_data(as_text=True)
    listing = client.get("/cases/").get_data(as_text=True)
    assert assigned_case.reference in listing
    assert "王预审" not in listing and "Unassigned" not in listing and "Assignee" not in listing


def test_staff_queues_show_the_assignee(client, login_as, center, assigned_case):
    login_as(center.manager)
    html = client.get("/workspace/?tab=all").get_data(as_text=True)
    assert "王预审" in html[html.index('id="case-table"'):]
