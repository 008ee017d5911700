"""A staff member ticks several cases in a list and acts on them at once: each case is checked as it would be
alone, done in a transaction of its own, and the summary says what was done and what was not, and why."""
from sqlalchemy import func, select

from ipcenter.audit.models import AuditEntry
from ipcenter.cases.models import Case, EventKind
from ipcenter.extensions import db
from tests.cases.conftest import make_case


def acted(client, cases, action: str, **fields):
    return client.submit("/cases/bulk", {"case": [case.reference for case in cases], "action": action,
                                         "next": "/workspace/?tab=all", **fields}, page="/workspace/")


def test_staff_claim_several_cases_and_each_other_post_s_case_is_refused_with_its_reason(client, login_as, center):
    mine = [make_case(center, "consultation") for _ in range(2)]
    other_post = make_case(center, "patent_filing", "drafting")
    staff = login_as(center.staff["consultation"])
    answer = acted(client, [*mine, other_post], "claim")
    assert answer.status_code == 302 and answer.headers["Location"] == "/workspace/?tab=all"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Done for 2 cases: {mine[0].reference}, {mine[1].reference}." in page
    assert (f"Not done for 1 case: \n{other_post.reference} — Only the post that owns its stage may assign this "
            "case.") in page
    assert [db.session.get(Case, case.id).assignee_id for case in [*mine, other_post]] == [staff.id, staff.id, None]
    again = client.get(acted(client, mine[:1], "claim").headers["Location"]).get_data(as_text=True)
    assert f"Not done for 1 case: \n{mine[0].reference} — The case is yours already." in again
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "access.denied")) == 1


def test_a_manager_assigns_several_cases_to_a_colleague(client, login_as, center):
    cases = [make_case(center, "consultation") for _ in range(3)]
    login_as(center.manager)
    colleague = center.colleague["consultation"]
    acted(client, cases, "assign", assignee=colleague.id)
    assert {db.session.get(Case, case.id).assignee_id for case in cases} == {colleague.id}

    cases.append(make_case(center, "consultation"))  # assigned again with a new one: the three are his already
    answer = acted(client, cases, "assign", assignee=colleague.id)
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Done for 1 case: {cases[3].reference}." in page
    refused = page.split('class="text-pre-line">Not done for 3 cases: ')[1].split("</span>")[0]
    assert refused.splitlines()[1:] == [  # a line each
        f"{case.reference} — The case is assigned to {colleague.display_name} already." for case in cases[:3]]
    assert [len([event for event in db.session.get(Case, case.id).events if event.kind == EventKind.ASSIGNED])
            for case in cases] == [1, 1, 1, 1]


def test_a_workflow_action_is_done_where_the_stage_allows_it_and_refused_elsewhere(client, login_as, center):
    answered = [make_case(center, "consultation", "answered") for _ in range(2)]
    still_answering = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    page = client.get(acted(client, [*answered, still_answering], "close").headers["Location"]).get_data(
        as_text=True)
    assert "Done for 2 cases" in page and f"{still_answering.reference} — This action is not possible" in page
    assert [db.session.get(Case, case.id).is_open for case in [*answered, still_answering]] == [False, False, True]


def test_claiming_a_closed_case_is_refused_because_it_is_closed(client, login_as, center):
    closed = make_case(center, "consultation", "closed")
    login_as(center.staff["consultation"])
    page = client.get(acted(client, [closed], "claim").headers["Location"]).get_data(as_text=True)
    assert f"{closed.reference} — A closed case cannot be assigned." in page


def test_nothing_ticked_or_nobody_chosen_is_said_and_nothing_done(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.manager)
    page = client.get(acted(client, [], "claim").headers["Location"]).get_data(as_text=True)
    assert "Tick the cases to act on first." in page
    page = client.get(acted(client, [case], "assign", assignee=0).headers["Location"]).get_data(as_text=True)
    assert "Choose who is to have the cases." in page and db.session.get(Case, case.id).assignee_id is None


def test_only_the_center_acts_on_several_cases(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.enterprise)
    assert client.submit("/cases/bulk", {"case": [case.reference], "action": "close"}, page="/cases/").status_code \
        == 403


def test_the_lists_offer_ticks_and_the_actions(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    for page in ("/workspace/", "/cases/find"):
        html = client.get(page).get_data(as_text=True)
        assert f'name="case" value="{case.reference}" form="bulk-form"' in html
        assert '<option value="claim">Claim them</option>' in html and '<option value="close">' in html
