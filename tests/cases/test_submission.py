"""Enterprises submit requests of every type; the fast channel is for recorded lighting enterprises."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ipcenter.accounts.models import Role
from ipcenter.cases import operations
from ipcenter.cases.models import Case
from ipcenter.cases.operations import submit_case, submit_once
from ipcenter.extensions import db
from ipcenter.organisations.models import OrganisationStatus
from tests.cases.conftest import DETAILS
from tests.conftest import make_organisation, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_for(type_code, **overrides):
    form = {key: ("" if value is None else value) for key, value in DETAILS[type_code].items()}
    if type_code == "infringement_complaint":  # as the form asks it: a yes or no, and the evidence
        form.update(evaluation_report="yes", files=[(io.BytesIO(PNG), "展位照片.png")])
    form.update(overrides)
    return form


def form_tokens(client, type_code: str) -> dict:
    """The CSRF and one-time submission tokens of a request form, opened as a browser would."""
    html = client.get(f"/cases/new/{type_code}").get_data(as_text=True)
    return {name: re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)
            for name in ("csrf_token", "submission_token")}


def send_request(client, type_code: str, data: dict, **kwargs):
    return client.post(f"/cases/new/{type_code}", data={**form_tokens(client, type_code), **data}, **kwargs)


def start_another(client, type_code: str) -> None:
    """After sending a request, ask for a fresh form of the same kind (the button on the reopened form)."""
    client.submit(f"/cases/new/{type_code}/another", page=f"/cases/new/{type_code}")


def case_count():
    return db.session.scalar(select(func.count(Case.id)))


@pytest.mark.parametrize("type_code", sorted(DETAILS))
def test_each_type_is_submitted_through_its_form(client, login_as, center, type_code):
    login_as(center.enterprise)
    response = send_request(client, type_code, form_for(type_code), follow_redirects=True,
                            content_type="multipart/form-data")
    assert response.status_code == 200
    case = db.session.scalar(select(Case))
    assert case.case_type == type_code and case.stage == case.workflow.initial_stage
    assert re.fullmatch(r"ZS-\d{4}-\d{6}", case.reference)
    assert case.reference in response.get_data(as_text=True)
    assert case.post.code == case.current_stage.post and case.due_date is not None


def test_references_count_up_without_gaps(client, login_as, center):
    login_as(center.enterprise)
    for _ in range(3):
        send_request(client, "consultation", form_for("consultation"))
        start_another(client, "consultation")
    numbers = [int(r[-6:]) for r in db.session.scalars(select(Case.reference).order_by(Case.id))]
    assert numbers == [1, 2, 3]


def test_reference_images_are_attached_on_submission(client, login_as, center):
    login_as(center.enterprise)
    send_request(client, "fast_retrieval", {**form_for("fast_retrieval"), "files": [
        (io.BytesIO(PNG), "吊灯正面.png"), (io.BytesIO(PNG), "吊灯侧面.png")]}, content_type="multipart/form-data")
    case = db.session.scalar(select(Case))
    assert [a.original_name for a in case.events[0].attachments] == ["吊灯正面.png", "吊灯侧面.png"]


def test_a_pending_enterprise_is_told_before_filling_the_fast_channel_form(client, login_as, center):
    pending = make_user(Role.ENTERPRISE, organisation=make_organisation(status=OrganisationStatus.PENDING))
    login_as(pending)
    chooser = client.get("/cases/new").get_data(as_text=True)
    button = re.search(r'<[^>]*id="choose-fast_pre_examination"[^>]*>', chooser).group(0)
    assert "disabled" in button and "href" not in button
    assert 'id="refusal-fast_pre_examination">Only enterprises recorded with the center' in chooser
    assert "disabled" not in re.search(r'<[^>]*id="choose-patent_filing"[^>]*>', chooser).group(0)
    form_page = client.get("/cases/new/fast_pre_examination")
    assert form_page.status_code == 403 and "Only enterprises recorded with the center" in form_page.get_data(
        as_text=True)
    response = client.submit("/cases/new/fast_pre_examination", form_for("fast_pre_examination"), page="/cases/new")
    assert response.status_code == 403
    assert case_count() == 0


def test_a_recorded_enterprise_may_start_the_fast_channel(client, login_as, center):
    login_as(center.enterprise)
    chooser = client.get("/cases/new").get_data(as_text=True)
    assert 'id="choose-fast_pre_examination" href="/cases/new/fast_pre_examination"' in chooser
    assert "refusal-fast_pre_examination" not in chooser


@pytest.mark.parametrize("type_code", sorted(DETAILS))
def test_the_submit_button_comes_after_every_field(client, login_as, center, type_code):
    login_as(center.enterprise)
    html = client.get(f"/cases/new/{type_code}").get_data(as_text=True)
    form = html[html.index('id="request-form"'):]
    form = form[:form.index("</form>")]
    controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    assert len(controls) > 4 and 'type="submit"' in controls[-1], controls[-1]


@pytest.mark.parametrize("type_code", ["patent_filing", "fast_pre_examination"])
def test_the_kind_of_patent_defaults_to_design(client, login_as, center, type_code):
    login_as(center.enterprise)
    html = client.get(f"/cases/new/{type_code}").get_data(as_text=True)
    assert re.search(r'<option selected value="design">|<option value="design" selected>', html)


@pytest.mark.parametrize("classification", ["09-01", "A47G 19/00", "", "2605x"])
def test_fast_channel_refuses_products_outside_lighting(client, login_as, center, classification):
    login_as(center.enterprise)
    response = send_request(client, "fast_pre_examination",
                             form_for("fast_pre_examination", classification=classification))
    assert response.status_code == 400
    assert case_count() == 0


@pytest.mark.parametrize("classification, outside", [("F16B", "F16B"), ("F16B 5/02; 26-05", "F16B 5/02"),
                                                     ("26-05；F16B", "F16B"),
                                                     ("F21V 21/00, 09-01, A47G", "09-01; A47G")])
def test_every_class_given_for_the_fast_channel_must_be_lighting(client, login_as, center, classification,
                                                                 outside):
    """One lighting class does not carry a screw or a vase through the lighting channel."""
    login_as(center.enterprise)
    response = send_request(client, "fast_pre_examination",
                             form_for("fast_pre_examination", classification=classification))
    assert response.status_code == 400 and case_count() == 0
    html = response.get_data(as_text=True)
    beside_the_field = html[html.index('id="classification"'):][:1200]
    assert f"Not a lighting class: {outside}. The fast pre-examination channel covers lighting products only" in \
        beside_the_field


@pytest.mark.parametrize("classification", ["26-05", "26-03", "F21V 21/00", "f21s 8/00", "H05B 45/10",
                                            "26-05; F21V 21/00"])
def test_fast_channel_takes_lighting_classes(client, login_as, center, classification):
    login_as(center.enterprise)
    response = send_request(client, "fast_pre_examination",
                             form_for("fast_pre_examination", classification=classification))
    assert response.status_code == 302 and case_count() == 1


@pytest.mark.parametrize("status", [OrganisationStatus.REJECTED, OrganisationStatus.SUSPENDED])
def test_rejected_or_suspended_enterprises_cannot_submit(client, login_as, center, status):
    user = make_user(Role.ENTERPRISE, organisation=make_organisation(status=status))
    login_as(user)
    assert client.get("/cases/new").status_code == 403
    assert client.submit("/cases/new/consultation", form_for("consultation"), page="/").status_code == 403


@pytest.mark.parametrize("role", ["staff", "manager", "reporter"])
def test_only_enterprises_submit(client, login_as, center, role):
    user = {"staff": center.staff["intake"], "manager": center.manager, "reporter": center.reporter}[role]
    login_as(user)
    assert client.get("/cases/new/consultation").status_code == 403


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "This field is required."),
    ("title", "灯" * 201, "Field cannot be longer than 200 characters."),
    ("external_deadline", "2020-01-01", "The deadline is already past."),
    ("external_deadline", "not-a-date", "Not a valid date value."),
    ("foreign_event", "smuggling", "Not a valid choice"),
])
def test_bad_request_input_is_refused_beside_the_field(client, login_as, center, field, value, message):
    login_as(center.enterprise)
    response = send_request(client, "foreign_assistance", form_for("foreign_assistance", **{field: value}))
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert case_count() == 0


@pytest.mark.parametrize("type_code, field, message", [
    ("foreign_assistance", "foreign_event", "Choose the kind of matter."),
    ("fast_retrieval", "retrieval_purpose", "Choose the purpose of the search."),
])
def test_the_kind_of_matter_and_the_purpose_of_a_search_are_never_chosen_for_the_user(client, login_as, center,
                                                                                     type_code, field, message):
    login_as(center.enterprise)
    blank = client.get(f"/cases/new/{type_code}").get_data(as_text=True)
    menu = blank[blank.index(f'id="{field}"'):].split("</select>")[0]
    assert "selected" not in menu and re.search(r'<option value="">[^<]+</option>', menu)
    response = send_request(client, type_code, form_for(type_code, **{field: ""}))
    assert response.status_code == 400 and case_count() == 0
    html = response.get_data(as_text=True)
    assert message in html[html.index(f'id="{field}"'):].split("</div>")[0]


def test_a_consultation_is_titled_once_and_filed_under_a_topic_from_the_centers_list(client, login_as, center):
    login_as(center.enterprise)
    blank = client.get("/cases/new/consultation").get_data(as_text=True)
    assert re.search(r'<select[^>]*id="topic"', blank) and "Infringement and rights protection" in blank
    assert send_request(client, "consultation", form_for("consultation", topic="专利保护期")).status_code == 400
    response = send_request(client, "consultation", form_for("consultation", topic="infringement"),
                            follow_redirects=True)
    case = db.session.scalar(select(Case))
    assert case.topic == "infringement"
    assert "Infringement and rights protection" in response.get_data(as_text=True)


@pytest.mark.parametrize("mistake", [{"description": ""},  # refused by the form
                                     {"classification": "F16B"}])  # refused by the center's rule
def test_a_file_chosen_on_a_request_form_that_comes_back_must_be_chosen_again(client, login_as, center, mistake):
    login_as(center.enterprise)
    response = send_request(client, "fast_pre_examination", {
        **form_for("fast_pre_examination", **mistake), "files": [(io.BytesIO(PNG), "吊灯六面视图.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 400 and case_count() == 0
    html = response.get_data(as_text=True)
    beside_the_file_field = html[html.index('id="files"'):].split("</div>")[0]
    assert "The file you chose (吊灯六面视图.png) was not saved: choose it again before sending the form." in \
        beside_the_file_field


def test_unknown_type_is_a_404(client, login_as, center):
    login_as(center.enterprise)
    assert client.get("/cases/new/time_travel").status_code == 404


def test_staff_of_the_first_post_hear_of_the_new_case(client, login_as, center):
    login_as(center.enterprise)
    send_request(client, "patent_filing", form_for("patent_filing"))
    client.submit("/logout", page="/")
    login_as(center.staff["intake"])
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert f"{center.enterprise.display_name} submitted a new request: ZS-" in inbox


def test_sending_the_same_request_form_twice_makes_one_case(client, login_as, center):
    login_as(center.enterprise)
    tokens = form_tokens(client, "consultation")
    first = client.post("/cases/new/consultation", data={**tokens, **form_for("consultation")})
    again = client.post("/cases/new/consultation", data={**tokens, **form_for("consultation")}, follow_redirects=True)
    case = db.session.scalar(select(Case))
    assert case_count() == 1
    assert first.headers["Location"].endswith(f"/cases/{case.reference}")
    assert again.request.path == f"/cases/{case.reference}"
    assert f"This form was submitted already, as request {case.reference}; no second request was made." in \
        again.get_data(as_text=True)


def test_back_reloads_the_sent_form_and_sending_it_again_makes_no_second_case(client, login_as, center):
    """Authenticated pages are never cached, so Back fetches the form again: it must carry the used token."""
    login_as(center.enterprise)
    send_request(client, "consultation", form_for("consultation"))
    case = db.session.scalar(select(Case))
    reloaded = client.get("/cases/new/consultation").get_data(as_text=True)
    assert f"it made request {case.reference}. Sending it again makes no second request." in reloaded
    again = send_request(client, "consultation", form_for("consultation"), follow_redirects=True)
    assert case_count() == 1 and again.request.path == f"/cases/{case.reference}"


def test_starting_another_request_of_the_same_kind_makes_a_second_case(client, login_as, center):
    login_as(center.enterprise)
    send_request(client, "consultation", form_for("consultation"))
    start_another(client, "consultation")
    assert "Sending it again makes no second request" not in client.get("/cases/new/consultation").get_data(
        as_text=True)
    send_request(client, "consultation", form_for("consultation"))
    assert case_count() == 2


def test_a_form_sent_more_than_an_hour_ago_opens_afresh(client, login_as, center):
    login_as(center.enterprise)
    send_request(client, "consultation", form_for("consultation"))
    case = db.session.scalar(select(Case))
    case.created_at = case.created_at - timedelta(hours=2)
    send_request(client, "consultation", form_for("consultation"))
    assert case_count() == 2


@pytest.mark.parametrize("token", ["", "forged", "x" * 42 + "!"])
def test_a_request_without_a_token_from_its_form_is_sent_back_with_a_fresh_one(client, login_as, center, token):
    login_as(center.enterprise)
    response = client.submit("/cases/new/consultation", {**form_for("consultation"), "submission_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and case_count() == 0
    assert "This form was not opened from the center's site, or has expired" in html
    assert re.search(r'name="submission_token" type="hidden" value="[A-Za-z0-9_-]{43}"', html)
    assert 'value="外观设计专利保护多少年？"' in html or "外观设计专利保护多少年？</textarea>" in html


def test_the_database_refuses_two_cases_from_one_token(app, center):
    """What keeps two sendings at the same moment from both making a case."""
    first = submit_case(center.enterprise.organisation, center.enterprise, "consultation",
                        {**DETAILS["consultation"], "submission_token": "t" * 43})
    db.session.commit()
    with pytest.raises(IntegrityError):
        submit_case(center.enterprise.organisation, center.enterprise, "consultation",
                    {**DETAILS["consultation"], "submission_token": "t" * 43})
    db.session.rollback()
    assert case_count() == 1 and db.session.scalar(select(Case.reference)) == first.reference


def test_a_form_sent_twice_at_once_answers_both_with_the_one_case(app, center, monkeypatch):
    """The second sending passes the look-up before the first commits; the unique token stops it."""
    made, _ = submit_once(center.enterprise.organisation, center.enterprise, "consultation",
                          DETAILS["consultation"], (), "t" * 43)
    db.session.commit()
    monkeypatch.setattr(operations, "case_submitted_with", lambda submitter, token, calls=[]: calls.append(1)
                        or (None if len(calls) == 1 else made))
    case, new = submit_once(center.enterprise.organisation, center.enterprise, "consultation",
                            DETAILS["consultation"], (), "t" * 43)
    assert (case.id, new) == (made.id, False) and case_count() == 1
