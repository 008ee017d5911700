"""Forms that add an account, an enterprise, a unit or a post, sent again after their answer was lost:
the retry is answered as the first sending was, and nothing is added (or mailed) twice."""
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from sqlalchemy import func, select

from ipcenter.accounts.models import User
from ipcenter.extensions import db
from ipcenter.organisations.models import DemonstrationUnit, Organisation, Post, UnitKind
from tests.conftest import valid_credit_code
from tests.organisations.test_registration import registration
from tests.retries import forms_sent_later, opened_form, sent_and_dropped, sent_from_the_page

SENT_ALREADY = "This form was sent already; nothing was added twice."


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def sent_twice(client, page: str, form_id: str, url: str, fields: dict):
    """Open the form, send it and lose the answer, then send it again: the retry's answer."""
    form = opened_form(client, page, form_id, fields)
    sent_and_dropped(client, url, form)
    return client.post(url, data=form)


def test_a_registration_sent_again_makes_one_enterprise_and_mails_once(client, mailbox):
    retry = sent_twice(client, "/register", "registration-form", "/register", registration())
    assert retry.status_code == 302 and retry.headers["Location"] == "/login"
    assert count(Organisation) == 1 and count(User) == 1
    assert [message["Subject"] for message in mailbox()] == ["Confirm your email address"]
    assert SENT_ALREADY in client.get("/login").get_data(as_text=True)


def test_two_visitors_registering_are_each_registered(client, app):
    first = opened_form(client, "/register", "registration-form", registration())
    assert client.post("/register", data=first).status_code == 302
    other = app.test_client()
    second = opened_form(other, "/register", "registration-form", registration(
        credit_code=valid_credit_code(), email="other@example.cn", organisation_email="o@example.cn"))
    assert other.post("/register", data=second).headers["Location"] == "/login"
    assert count(Organisation) == 2


def test_an_invitation_sent_again_makes_one_account_and_one_mail(client, login_as, users, mailbox):
    login_as(users["enterprise"])
    retry = sent_twice(client, "/organisation", "invite-form", "/organisation/invite",
                       {"invite-email": "colleague@example.cn", "invite-display_name": "何同事"})
    assert retry.status_code == 302 and retry.headers["Location"] == "/organisation"
    assert count(User, User.email == "colleague@example.cn") == 1 and len(mailbox()) == 1


def test_an_invitation_from_a_page_opened_before_keys_is_refused_as_a_duplicate_when_sent_again(client, login_as,
                                                                                              users, mailbox):
    login_as(users["enterprise"])
    form = {"invite-email": "colleague@example.cn", "invite-display_name": "何同事",
            "csrf_token": client.csrf_token("/organisation")}
    client.post("/organisation/invite", data=form)
    retry = client.post("/organisation/invite", data=form)
    assert retry.status_code == 400 and "An account with this email already exists." in retry.get_data(as_text=True)
    assert count(User, User.email == "colleague@example.cn") == 1 and len(mailbox()) == 1


UNIT = {"name_zh": "中山市灯都专利代理所", "kind": int(UnitKind.PATENT_AGENCY), "contact_person": "周先生",
        "phone": "0760-88881234", "email": "zhou@dengdu.cn", "active": "y"}


def test_a_new_unit_sent_again_is_created_once_and_leads_to_its_page(client, login_as, users):
    login_as(users["manager"])
    retry = sent_twice(client, "/admin/units/new", "unit-form", "/admin/units/new", UNIT)
    [unit] = db.session.scalars(select(DemonstrationUnit).where(DemonstrationUnit.name_zh == UNIT["name_zh"]))
    assert retry.status_code == 302 and retry.headers["Location"] == f"/admin/units/{unit.id}"
    assert SENT_ALREADY in client.get(retry.headers["Location"]).get_data(as_text=True)


def test_a_unit_reporter_invited_again_gets_one_account_and_one_mail(client, login_as, users, mailbox):
    unit = DemonstrationUnit(name_zh="中山市灯都专利代理所", kind=UnitKind.PATENT_AGENCY, contact_person="周先生",
                             phone="0760-88881234", email="zhou@dengdu.cn")
    db.session.add(unit)
    db.session.commit()
    login_as(users["manager"])
    retry = sent_twice(client, f"/admin/units/{unit.id}", "reporter-form", f"/admin/units/{unit.id}/reporters",
                       {"invite-email": "reporter@dengdu.cn", "invite-display_name": "周报告"})
    assert retry.status_code == 302 and retry.headers["Location"] == f"/admin/units/{unit.id}"
    assert count(User, User.email == "reporter@dengdu.cn") == 1 and len(mailbox()) == 1


@pytest.mark.parametrize("page, form_id, fields, model", [
    ("/admin/users/new", "user-form", {"email": "new.staff@example.cn", "display_name": "王新", "role": "2"}, User),
    ("/admin/posts/new", "post-form", {"code": "mediation", "name_zh": "调解岗", "name_en": "Mediation"}, Post),
])
def test_a_new_account_or_post_sent_again_is_created_once(client, login_as, users, mailbox, page, form_id, fields,
                                                         model):
    login_as(users["manager"])
    before = count(model)
    retry = sent_twice(client, page, form_id, page, fields)
    assert retry.status_code == 302 and retry.headers["Location"] == page.removesuffix("new")
    assert count(model) == before + 1
    assert SENT_ALREADY in client.get(retry.headers["Location"]).get_data(as_text=True)


class OwnPageForm(NamedTuple):
    """A form on a page of its own that adds something, posted to that page."""

    page: str
    form_id: str
    typed: dict
    other: dict  # something else typed into the same form
    model: type
    taken: str  # the form's complaint when the same is sent as new


def _own_page_form(name: str) -> OwnPageForm:
    if name == "registration":
        return OwnPageForm("/register", "registration-form", registration(), registration(
            credit_code=valid_credit_code(), email="lin@guangming.cn", organisation_email="info@guangming.cn",
            name_zh="中山市古镇光明灯饰厂"), Organisation, "An enterprise with this credit code is already registered.")
    if name == "new unit":
        return OwnPageForm("/admin/units/new", "unit-form", UNIT, {**UNIT, "name_zh": "中山市明灯律师事务所"},
                           DemonstrationUnit, "A unit with this name already exists.")
    account = {"email": "new.staff@example.cn", "display_name": "王新", "role": "2"}
    return OwnPageForm("/admin/users/new", "user-form", account, {**account, "email": "li.na@example.cn"}, User,
                       "An account with this email already exists.")


@pytest.fixture(params=["registration", "new unit", "new center account"])
def own_page_form(request, login_as, users):
    """The form, its sender logged in (a manager; a visitor registers); how many of its kind there were."""
    if request.param != "registration":
        login_as(users["manager"])
    form = _own_page_form(request.param)
    return SimpleNamespace(form=form, before=count(form.model))


def send(client, sent, fields: dict, *, back: bool = False):
    """Open the page and send its form with `fields` typed in. After Back the browser fills in what was typed,
    but not a password."""
    if back:
        fields = {name: "" if name in ("password", "confirm") else value for name, value in fields.items()}
    return sent_from_the_page(client, sent.form.page, sent.form.form_id, sent.form.page, fields)


def test_a_form_sent_again_after_back_is_answered_as_before_not_with_a_duplicate_error(client, own_page_form):
    first = send(client, own_page_form, own_page_form.form.typed)
    again = send(client, own_page_form, own_page_form.form.typed, back=True)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(own_page_form.form.model) == own_page_form.before + 1
    assert SENT_ALREADY in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_form_sent_again_with_other_text_adds_a_second(client, own_page_form):
    send(client, own_page_form, own_page_form.form.typed)
    again = send(client, own_page_form, own_page_form.form.other)
    assert again.status_code == 302 and count(own_page_form.form.model) == own_page_form.before + 2
    assert SENT_ALREADY not in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_form_sent_again_after_the_window_is_judged_as_new(app, client, own_page_form, monkeypatch):
    """An hour on, the same fields are a new sending: the form refuses what is taken already."""
    send(client, own_page_form, own_page_form.form.typed)
    forms_sent_later(monkeypatch, minutes=app.config["SUBMISSION_RESENT_MINUTES"], seconds=1)
    again = send(client, own_page_form, own_page_form.form.typed)
    assert own_page_form.form.taken in again.get_data(as_text=True)
    assert count(own_page_form.form.model) == own_page_form.before + 1


def test_a_visitor_registering_what_another_visitor_registered_is_refused_not_told_sent_already(client, app):
    typed = registration()
    sent_from_the_page(client, "/register", "registration-form", "/register", typed)
    other = app.test_client()
    again = sent_from_the_page(other, "/register", "registration-form", "/register", typed)
    assert "An enterprise with this credit code is already registered." in again.get_data(as_text=True)
    assert count(Organisation) == 1


def test_a_unit_changed_back_and_then_changed_again_within_the_hour_is_saved_each_time(client, login_as, users):
    """An edit carries no key and leaves no fingerprint: the same values set again are set again."""
    login_as(users["manager"])
    created = sent_from_the_page(client, "/admin/units/new", "unit-form", "/admin/units/new", UNIT)
    page = created.headers["Location"]
    for active in ("", "y", ""):
        edit = {**UNIT, "active": active} if active else {name: v for name, v in UNIT.items() if name != "active"}
        saved = sent_from_the_page(client, page, "unit-form", page, edit)
        assert saved.status_code == 302
        assert SENT_ALREADY not in client.get(page).get_data(as_text=True)
        assert db.session.scalar(select(DemonstrationUnit.active).where(
            DemonstrationUnit.name_zh == UNIT["name_zh"])) is bool(active)
