"""A kind of request defined here and nowhere else goes through the whole center: adding a case type is a
change to the workflow's data, not to the engine, the pages or the permissions.

The type is a throw-away: a complaint about a copy shown at a trade fair. Its middle stage is of a kind no
built-in type has: the delegated law firm gives its opinion by a date of its own, which is neither the
center's deadline nor the enterprise's. Its codes, its post, its unit and its request form are all new, and
it is registered for these tests alone.
"""
import re
from dataclasses import replace
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ipcenter.accounts.models import Role
from ipcenter.calendar import add_working_days, center_today
from ipcenter.cases.forms import RequestForm
from ipcenter.cases.models import Case
from ipcenter.cases.operations import send_reminders
from ipcenter.cases.rules import Eligibility
from ipcenter.cases.workflow import (
    CASE_TYPES,
    ENDED,
    RESULT,
    UNDER_WAY,
    Actor,
    CaseType,
    Input,
    Outcome,
    Phase,
    Stage,
    StageKind,
    Transition,
)
from ipcenter.extensions import db
from ipcenter.organisations.models import OrganisationStatus, UnitKind
from tests.cases.test_lists import references
from tests.cases.test_submission import send_request
from tests.conftest import make_organisation, make_post, make_unit, make_user

FAIR_DESK = "fair_desk"


class FairComplaintForm(RequestForm):
    product_name = StringField("Copied product", validators=[DataRequired(), Length(max=200)])
    counterparty = StringField("Exhibitor", validators=[DataRequired(), Length(max=200)])
    TYPE_FIELDS = ("product_name", "counterparty")


# The delegated unit is to act, by its own date: never the center's delay, and nothing asked of the enterprise.
UNIT_OPINION = StageKind(Phase.WAITING, under_way=True)

FAIR_COMPLAINT = CaseType(
    code="fair_complaint",
    name="Trade-fair complaint",
    description="A copy of your product is shown at a fair.",
    request_form=FairComplaintForm,
    eligibility=Eligibility(recorded_only=True, refusal="Only recorded enterprises may complain at the fair; "
                                                        "yours is %(status)s."),
    stages=(
        Stage("complaint_received", "Complaint received", post=FAIR_DESK, allowance=1),
        # The code of foreign assistance's first stage, where the center works to its deadline: here it is not.
        Stage("assessment", "Law firm's opinion", kind=UNIT_OPINION, post=FAIR_DESK, allowance=2),
        Stage("settled", "Settled", kind=RESULT, post=FAIR_DESK, allowance=1),
        Stage("complaint_withdrawn", "Complaint withdrawn", kind=ENDED),
        Stage("complaint_closed", "Complaint closed", kind=ENDED),
    ),
    transitions=(
        Transition(action="take_up", label="Take up the complaint", sources=("complaint_received",),
                   target="assessment", actors=frozenset({Actor.POST}), inputs=(Input.COMMENT,),
                   news="%(actor)s took up %(case)s."),
        Transition(action="give_opinion", label="Give the opinion", sources=("assessment",), target="settled",
                   actors=frozenset({Actor.UNIT}), inputs=(Input.COMMENT,), required=(Input.COMMENT,),
                   outcome=Outcome("settled_at_fair", "Settled at the fair"),
                   news="%(actor)s gave the opinion on %(case)s."),
        Transition(action="close_complaint", label="Close the complaint", sources=("settled",),
                   target="complaint_closed", actors=frozenset({Actor.POST}), news="%(actor)s closed %(case)s."),
        Transition(action="withdraw_complaint", label="Withdraw the complaint", sources=(UNDER_WAY,),
                   target="complaint_withdrawn", actors=frozenset({Actor.ENTERPRISE}), inputs=(Input.REASON,),
                   required=(Input.REASON,), news="%(actor)s withdrew %(case)s."),
    ),
    main_path=("complaint_received", "assessment", "settled", "complaint_closed"),
    initial_stage="complaint_received",
)


@pytest.fixture
def fair(app, monkeypatch):
    """The type registered for this test; the desk that owns its stages, with a colleague; a law firm."""
    monkeypatch.setitem(CASE_TYPES, FAIR_COMPLAINT.code, FAIR_COMPLAINT)
    desk, law_firm = make_post(code=FAIR_DESK), make_unit(kind=UnitKind.LAW_FIRM)
    return SimpleNamespace(staff=make_user(Role.STAFF, posts=[desk]), enterprise=make_user(Role.ENTERPRISE),
                           law_firm=law_firm, reporter=make_user(Role.UNIT_REPORTER, unit=law_firm))


def act(client, case, action: str, **inputs):
    response = client.submit(f"/cases/{case.reference}/actions/{action}", {"version": case.version, **inputs},
                             page=f"/cases/{case.reference}")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.refresh(case)


def as_user(client, login_as, user) -> None:
    client.submit("/logout", page="/")
    login_as(user)


def submit_complaint(client, login_as, fair) -> Case:
    login_as(fair.enterprise)
    response = send_request(client, "fair_complaint", {"title": "展会上的仿冒吊灯", "description": "3号馆展位A12",
                                                       "product_name": "六臂水晶吊灯", "counterparty": "某灯饰厂"})
    case = db.session.scalar(select(Case).order_by(Case.id.desc()))
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case.reference}")
    return case


def current_step(page: str) -> str:
    return re.search(r'data-stage="([^"]+)" aria-current="step"', page).group(1)


def test_a_type_defined_only_in_its_data_goes_from_request_to_closing(client, login_as, fair):
    login_as(fair.enterprise)
    assert 'id="choose-fair_complaint" href="/cases/new/fair_complaint"' in client.get("/cases/new").get_data(
        as_text=True)
    form = client.get("/cases/new/fair_complaint").get_data(as_text=True)
    assert "Copied product" in form and "Exhibitor" in form
    case = submit_complaint(client, login_as, fair)
    assert (case.stage, case.post.code, case.product_name, case.counterparty) == (
        "complaint_received", FAIR_DESK, "六臂水晶吊灯", "某灯饰厂")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert current_step(page) == "complaint_received" and 'id="do-withdraw_complaint"' in page
    assert 'id="do-take_up"' not in page
    assert references(client.get("/cases/")) == [case.reference]

    as_user(client, login_as, fair.staff)
    assert references(client.get("/workspace/?tab=unassigned")) == [case.reference]
    act(client, case, "take_up")
    assert case.stage == "assessment" and case.due_date == add_working_days(center_today(), 2)
    client.submit(f"/cases/{case.reference}/delegate", {"version": case.version, "unit": fair.law_firm.id,
                                                        "comment": "请出具侵权比对意见。"}, page="/")
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert current_step(page) == "assessment" and 'class="badge bg-warning text-dark" data-stage' in page
    assert 'id="case-actions"' not in page  # the unit acts here, not the desk

    # The law firm's date has passed: that is not the center's delay.
    case.due_date = add_working_days(center_today(), -1)
    db.session.commit()
    assert references(client.get("/workspace/?tab=overdue")) == []
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'data-due="outside"' in page and "Overdue" not in page
    assert send_reminders(center_today()) == {"due_soon": 0, "overdue": 0, "escalated": 0}

    as_user(client, login_as, fair.reporter)
    act(client, case, "give_opinion", comment="构成侵权，建议展会撤展。")
    assert (case.stage, case.outcome) == ("settled", "settled_at_fair")

    as_user(client, login_as, fair.staff)
    act(client, case, "close_complaint")
    assert case.stage == "complaint_closed" and not case.is_open

    as_user(client, login_as, fair.enterprise)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert current_step(page) == "complaint_closed" and 'id="case-outcome">Settled at the fair<' in page
    assert references(client.get("/cases/?state=closed")) == [case.reference]
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert f"{fair.reporter.display_name} gave the opinion on {case.reference}" in inbox


def test_the_enterprise_may_withdraw_while_the_law_firm_works(client, login_as, fair):
    case = submit_complaint(client, login_as, fair)
    as_user(client, login_as, fair.staff)
    act(client, case, "take_up")
    as_user(client, login_as, fair.enterprise)
    act(client, case, "withdraw_complaint", reason="已与对方和解")
    assert case.stage == "complaint_withdrawn" and case.closed_at is not None


def test_the_types_rule_turns_away_an_enterprise_not_recorded(client, login_as, fair):
    login_as(make_user(Role.ENTERPRISE, organisation=make_organisation(status=OrganisationStatus.PENDING)))
    chooser = client.get("/cases/new").get_data(as_text=True)
    assert 'id="refusal-fair_complaint">Only recorded enterprises may complain at the fair; yours is' in chooser
    assert client.get("/cases/new/fair_complaint").status_code == 403


def test_the_workflow_page_draws_the_type(client, fair):
    page = client.get("/help/workflow").get_data(as_text=True)
    section = page.split('id="workflow-fair_complaint"')[1].split("</section>")[0]
    for code in ("complaint_received", "assessment", "settled", "complaint_closed", "complaint_withdrawn"):
        assert f'<g data-stage="{code}">' in section
    assert "<title>Give the opinion</title>" in section


def test_a_type_naming_a_stage_it_does_not_have_is_refused_when_defined():
    with pytest.raises(ValueError, match="fair_complaint names stages it does not have: complaint_setled"):
        replace(FAIR_COMPLAINT, main_path=("complaint_received", "complaint_setled"))


def test_each_kind_of_request_is_started_by_a_link_that_names_it(client, login_as, fair):
    login_as(fair.enterprise)
    chooser = client.get("/cases/new").get_data(as_text=True)
    names = re.findall(r'id="choose-[^"]+"[^>]*aria-label="([^"]+)">Start<', chooser)
    assert "Start a request: Trade-fair complaint" in names and len(names) == len(set(names)) > 1
