"""Enterprises submit requests of every type; the fast channel is for recorded lighting enterprises."""
import io
import re

import pytest
from sqlalchemy import func, select

from ipcenter.accounts.models import Role
from ipcenter.cases.models import Case
from ipcenter.extensions import db
from ipcenter.organisations.models import OrganisationStatus
from tests.cases.conftest import DETAILS
from tests.conftest import make_organisation, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_for(type_code, **overrides):
    form = {key: ("" if value is None else value) for key, value in DETAILS[type_code].items()}
    form.update(overrides)
    return form


def case_count():
    return db.session.scalar(select(func.count(Case.id)))


@pytest.mark.parametrize("type_code", sorted(DETAILS))
def test_each_type_is_submitted_through_its_form(client, login_as, center, type_code):
    login_as(center.enterprise)
    response = client.submit(f"/cases/new/{type_code}", form_for(type_code), follow_redirects=True)
    assert response.status_code == 200
    case = db.session.scalar(select(Case))
    assert case.case_type == type_code and case.stage == case.workflow.initial_stage
    assert re.fullmatch(r"ZS-\d{4}-\d{6}", case.reference)
    assert case.reference in response.get_data(as_text=True)
    assert case.post.code == case.current_stage.post and case.due_date is not None


def test_references_count_up_without_gaps(client, login_as, center):
    login_as(center.enterprise)
    for _ in range(3):
        client.submit("/cases/new/consultation", form_for("consultation"))
    numbers = [int(r[-6:]) for r in db.session.scalars(select(Case.reference).order_by(Case.id))]
    assert numbers == [1, 2, 3]


def test_reference_images_are_attached_on_submission(client, login_as, center):
    login_as(center.enterprise)
    client.submit("/cases/new/fast_retrieval", {**form_for("fast_retrieval"), "files": [
        (io.BytesIO(PNG), "吊灯正面.png"), (io.BytesIO(PNG), "吊灯侧面.png")]}, content_type="multipart/form-data")
    case = db.session.scalar(select(Case))
    assert [a.original_name for a in case.events[0].attachments] == ["吊灯正面.png", "吊灯侧面.png"]


def test_fast_channel_refuses_a_pending_enterprise(client, login_as, center):
    pending = make_user(Role.ENTERPRISE, organisation=make_organisation(status=OrganisationStatus.PENDING))
    login_as(pending)
    response = client.submit("/cases/new/fast_pre_examination", form_for("fast_pre_examination"))
    assert response.status_code == 400
    assert "Only enterprises recorded with the center" in response.get_data(as_text=True)
    assert case_count() == 0


@pytest.mark.parametrize("classification", ["09-01", "A47G 19/00", "", "2605x"])
def test_fast_channel_refuses_products_outside_lighting(client, login_as, center, classification):
    login_as(center.enterprise)
    response = client.submit("/cases/new/fast_pre_examination",
                             form_for("fast_pre_examination", classification=classification))
    assert response.status_code == 400
    assert case_count() == 0


@pytest.mark.parametrize("classification", ["26-05", "26-03", "F21V 21/00", "f21s 8/00", "H05B 45/10"])
def test_fast_channel_takes_lighting_classes(client, login_as, center, classification):
    login_as(center.enterprise)
    response = client.submit("/cases/new/fast_pre_examination",
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
    response = client.submit("/cases/new/foreign_assistance", form_for("foreign_assistance", **{field: value}))
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert case_count() == 0


def test_unknown_type_is_a_404(client, login_as, center):
    login_as(center.enterprise)
    assert client.get("/cases/new/time_travel").status_code == 404


def test_staff_of_the_first_post_hear_of_the_new_case(client, login_as, center):
    login_as(center.enterprise)
    client.submit("/cases/new/patent_filing", form_for("patent_filing"))
    client.submit("/logout", page="/")
    login_as(center.staff["intake"])
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert f"{center.enterprise.display_name} submitted a new request: ZS-" in inbox
