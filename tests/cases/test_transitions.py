"""Every transition of every case type, performed over HTTP by the role that owns it;
every other role, and every stage it does not start from, refused."""
import io
from datetime import timedelta

import pytest

from ipcenter.calendar import center_today
from ipcenter.cases.models import Case, EventKind
from ipcenter.cases.workflow import AWAITING_MATERIALS, CASE_TYPES, RESUME, Actor, Input
from ipcenter.database import utcnow
from ipcenter.extensions import db
from ipcenter.reports.models import SearchReport
from tests.cases.conftest import make_case

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VALID_APPLICATION_NUMBER = "202130123456.8"


def allowed_moves():
    """The respondent answers from its own page, not the case page: tests/complaints walks that step."""
    for code, case_type in CASE_TYPES.items():
        for transition in case_type.transitions:
            for source in sorted(case_type.sources_of(transition)):
                for actor in sorted(transition.actors - {Actor.RESPONDENT}, key=lambda a: a.value):
                    yield pytest.param(code, transition.action, source, actor,
                                       id=f"{code}-{transition.action}-from-{source}-by-{actor.value}")


def inputs_for(transition) -> dict:
    values = {"comment": "说明文字", "reason": "理由", "application_number": VALID_APPLICATION_NUMBER,
              "patent_number": "ZL202130123456.8"}
    form = {field: value for field, value in values.items() if Input(field) in transition.inputs}
    if Input.ATTACHMENT in transition.required:
        form["files"] = (io.BytesIO(PDF), "报告.pdf")
    return form


def write_report(case, transition) -> None:
    """Delivering a search report needs the report: its conclusion, at least."""
    if Input.SEARCH_REPORT in transition.required:
        db.session.add(SearchReport(case_id=case.id, conclusion="未检索到相关文件。"))
        db.session.commit()


def actor_user(center, case, actor: Actor):
    if actor == Actor.ENTERPRISE:
        return center.enterprise
    if actor == Actor.UNIT:
        case.delegated_unit = center.unit
        db.session.commit()
        return center.reporter
    return center.staff[case.post.code]


def prepare(center, type_code, source, past_due: bool = False):
    """A case at `source` (and, for a step back from the materials asked, the case it came from); its deadline
    past if the step waits for it."""
    if source == AWAITING_MATERIALS:
        first = CASE_TYPES[type_code].initial_stage
        return make_case(center, type_code, first), make_case(center, type_code, AWAITING_MATERIALS)
    case = make_case(center, type_code, source)
    if past_due:
        case.due_at, case.due_date = utcnow() - timedelta(hours=1), center_today() - timedelta(days=1)
        db.session.commit()
    return None, case


def test_the_test_data_number_is_valid():
    from ipcenter.patents.numbers import normalise_cn_application_number
    assert normalise_cn_application_number(VALID_APPLICATION_NUMBER) == "CN202130123456.8"


@pytest.mark.parametrize("type_code, action, source, actor", list(allowed_moves()))
def test_allowed_transition_over_http(client, login_as, center, type_code, action, source, actor):
    transition = CASE_TYPES[type_code].transition(action)
    _, case = prepare(center, type_code, source, past_due=transition.after_due)
    expected = case.resume_stage if transition.target == RESUME else transition.target
    write_report(case, transition)
    login_as(actor_user(center, case, actor))
    form = {"version": case.version, **inputs_for(transition)}
    response = client.submit(f"/cases/{case.reference}/actions/{action}", form, page=f"/cases/{case.reference}",
                             content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    moved = db.session.get(Case, case.id)
    assert moved.stage == expected
    step = [event for event in moved.events if event.kind == EventKind.TRANSITION][-1]
    assert step.action == action and step.from_stage == source


def refused_moves():
    """For each transition, one source it may start from, and each kind of outsider."""
    for code, case_type in CASE_TYPES.items():
        for transition in case_type.transitions:
            source = sorted(case_type.sources_of(transition))[0]
            outsiders = ["other_enterprise", "other_reporter", "outsider_staff"]
            outsiders += [name for name, actor in (("enterprise", Actor.ENTERPRISE), ("owning_staff", Actor.POST),
                                                   ("delegated_reporter", Actor.UNIT))
                          if actor not in transition.actors]
            for outsider in outsiders:
                yield pytest.param(code, transition.action, source, outsider,
                                   id=f"{code}-{transition.action}-by-{outsider}")


OUTSIDER_STATUS = {"other_enterprise": 404, "other_reporter": 404, "outsider_staff": 403, "enterprise": 403,
                   "owning_staff": 403, "delegated_reporter": 403}


@pytest.mark.parametrize("type_code, action, source, outsider", list(refused_moves()))
def test_disallowed_actor_is_refused(client, login_as, center, type_code, action, source, outsider):
    _, case = prepare(center, type_code, source)
    case.delegated_unit = center.unit
    db.session.commit()
    user = {"other_enterprise": center.other_enterprise, "other_reporter": center.other_reporter,
            "outsider_staff": center.outsider_staff, "enterprise": center.enterprise,
            "owning_staff": center.staff.get(case.post.code) if case.post else center.outsider_staff,
            "delegated_reporter": center.reporter}[outsider]
    login_as(user)
    transition = case.workflow.transition(action)
    response = client.submit(f"/cases/{case.reference}/actions/{action}",
                             {"version": case.version, **inputs_for(transition)}, page="/",
                             content_type="multipart/form-data")
    assert response.status_code == OUTSIDER_STATUS[outsider]
    assert db.session.get(Case, case.id).stage == source
    assert len(db.session.get(Case, case.id).events) == len(case.events)


@pytest.mark.parametrize("type_code", sorted(CASE_TYPES))
def test_actions_from_the_wrong_stage_are_refused(client, login_as, center, type_code):
    case_type = CASE_TYPES[type_code]
    case = make_case(center, type_code)
    login_as(center.manager)
    for transition in case_type.transitions:
        if case.stage in case_type.sources_of(transition):
            continue
        response = client.submit(f"/cases/{case.reference}/actions/{transition.action}",
                                 {"version": case.version, **inputs_for(transition)}, page="/",
                                 content_type="multipart/form-data")
        assert response.status_code == 400, transition.action  # the case is not at a stage it starts from
        assert db.session.get(Case, case.id).stage == case_type.initial_stage


def test_anonymous_visitors_are_sent_to_log_in(client, center):
    case = make_case(center, "consultation")
    response = client.submit(f"/cases/{case.reference}/actions/answer", {"comment": "x"}, page="/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("field, value, message", [
    ("comment", "", "This step needs: a comment."),
    ("application_number", "202130123456.9", "not a valid Chinese application number"),
])
def test_required_inputs_are_checked(client, login_as, center, field, value, message):
    case = make_case(center, "fast_pre_examination", "passed") if field == "application_number" \
        else make_case(center, "consultation")
    action = "forward" if field == "application_number" else "answer"
    login_as(center.staff[case.post.code])
    response = client.submit(f"/cases/{case.reference}/actions/{action}", {"version": case.version, field: value},
                             page="/")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).stage == case.stage


def test_unknown_action_is_refused(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.manager)
    response = client.submit(f"/cases/{case.reference}/actions/teleport", {"version": case.version}, page="/")
    assert response.status_code == 400


def test_a_case_moving_to_another_posts_stage_loses_its_assignee(client, login_as, center):
    case = make_case(center, "patent_filing")  # intake, the intake post's
    login_as(center.staff["intake"])
    client.submit(f"/cases/{case.reference}/assign", {"version": case.version, "claim": "1"}, page="/")
    assert db.session.get(Case, case.id).assignee_id == center.staff["intake"].id
    client.submit(f"/cases/{case.reference}/actions/accept", {"version": case.version}, page="/")
    moved = db.session.get(Case, case.id)
    assert moved.stage == "drafting" and moved.post.code == "filing" and moved.assignee is None


def test_a_case_staying_with_its_post_keeps_its_assignee(client, login_as, center):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    login_as(center.staff["pre_examination"])
    client.submit(f"/cases/{case.reference}/assign", {"version": case.version, "claim": "1"}, page="/")
    client.submit(f"/cases/{case.reference}/actions/pass", {"version": case.version}, page="/")
    moved = db.session.get(Case, case.id)
    assert moved.stage == "passed" and moved.assignee_id == center.staff["pre_examination"].id


# Once the result is in, the case only closes (or takes a follow-up question) ---------------------------

RESULT_IN = [("patent_filing", "granted"), ("patent_filing", "refused"), ("fast_pre_examination", "granted"),
             ("fast_pre_examination", "refused"), ("fast_retrieval", "report_delivered"), ("consultation", "answered"),
             ("foreign_assistance", "resolved")]


@pytest.mark.parametrize("type_code, stage", RESULT_IN)
@pytest.mark.parametrize("action, who", [("withdraw", "enterprise"), ("request_materials", "owning_staff")])
def test_once_the_result_is_in_nothing_is_withdrawn_nor_asked_for(client, login_as, center, type_code, stage,
                                                                   action, who):
    case = make_case(center, type_code, stage)
    login_as(center.enterprise if who == "enterprise" else center.staff[case.post.code])
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f'id="open-{action}"' not in page
    response = client.submit(f"/cases/{case.reference}/actions/{action}",
                             {"version": case.version, "comment": "请补充", "reason": "不需要了"}, page="/")
    assert response.status_code == 400
    assert "This action is not possible while the case is at the stage" in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).stage == stage
