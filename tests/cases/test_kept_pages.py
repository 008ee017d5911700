"""Pages served again while nothing changed: the same page to the same person, never a stale one, never another's."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ipcenter import page_cache
from ipcenter.accounts.models import User
from ipcenter.calendar import center_today
from ipcenter.cases.models import Case
from ipcenter.extensions import db
from ipcenter.page_cache import data_generation
from ipcenter.patents.models import Patent
from tests.cases.conftest import make_case
from tests.conftest import PASSWORD
from tests.page_queries import queries_of
from tests.retries import form_on, hidden

SERVED_AGAIN = 2  # the signed-in user and the data generation: nothing rendered


def test_a_case_page_opened_again_is_served_without_being_rendered(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    first = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert queries_of(client, f"/cases/{case.reference}", rendered=False) == SERVED_AGAIN
    again = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert _without_secrets(again) == _without_secrets(first)


def test_each_showing_carries_new_one_time_keys_and_its_note_form_works(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    forms = [form_on(client.get(f"/cases/{case.reference}").get_data(as_text=True), "note-form") for _ in range(2)]
    keys = [hidden(form, "submission_key") for form in forms]
    assert keys[0] != keys[1]
    for form, comment in zip(forms, ("客户催问进度", "已电话答复"), strict=True):
        answer = client.post(f"/cases/{case.reference}/notes", data={
            "csrf_token": hidden(form, "csrf_token"), "submission_key": hidden(form, "submission_key"),
            "comment": comment})
        assert answer.status_code == 302
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "客户催问进度" in page and "已电话答复" in page


def test_a_note_shows_at_once_with_its_message_and_the_message_only_once(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    _add_note(client, case, "样品已寄到")
    after = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "样品已寄到" in after and "The internal note is added." in after
    assert "The internal note is added." not in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_a_change_committed_by_another_process_shows_on_the_next_showing(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    client.get(f"/cases/{case.reference}")
    generation = data_generation()
    with Session(db.engine) as worker:  # another gunicorn worker, a command
        worker.execute(update(Case).where(Case.id == case.id).values(title="六臂水晶吊灯咨询"))
        worker.commit()
    assert data_generation() == generation + 1
    assert "六臂水晶吊灯咨询" in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_a_change_rolled_back_leaves_the_generation_as_it_was(app, center):
    generation = data_generation()
    db.session.execute(update(Case).values(title="不会保存"))
    db.session.rollback()
    db.session.commit()
    assert data_generation() == generation


def test_the_enterprise_never_gets_the_page_kept_for_staff(app, client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    _add_note(client, case, "内部：该企业上次材料不全")
    assert "内部：该企业上次材料不全" in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    enterprise = app.test_client()
    enterprise.submit("/login", {"email": center.enterprise.email, "password": PASSWORD})
    page = enterprise.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert case.reference in page and "内部：该企业上次材料不全" not in page


def test_the_page_changes_language_with_the_user(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    assert '<html lang="en"' in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    client.submit("/language/zh", {})
    assert '<html lang="zh-CN"' in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_deadlines_are_counted_again_when_the_day_turns(client, login_as, center, monkeypatch):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    client.get(f"/cases/{case.reference}")
    tomorrow = center_today() + timedelta(days=1)
    monkeypatch.setattr("ipcenter.page_cache.center_today", lambda: tomorrow)
    assert queries_of(client, f"/cases/{case.reference}", rendered=False) > SERVED_AGAIN


def test_a_change_to_the_user_committed_while_the_page_is_rendered_shows_on_the_next_showing(
        client, login_as, center, monkeypatch):
    """The user is read before the generation: a page must show what was there at the generation it is kept for."""
    case = make_case(center, "consultation")
    staff = login_as(center.staff["consultation"])
    read_generation = page_cache.data_generation

    def renamed_meanwhile() -> int:
        with Session(db.engine) as other:  # commits between the user's loading and the generation's reading
            other.execute(update(User).where(User.id == staff.id).values(display_name="王预审（已改名）"))
            other.commit()
        monkeypatch.setattr(page_cache, "data_generation", read_generation)
        return read_generation()

    monkeypatch.setattr(page_cache, "data_generation", renamed_meanwhile)
    assert "王预审（已改名）" in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "王预审（已改名）" in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_a_page_holding_a_nul_from_stored_text_is_not_kept(client, login_as, center):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL stores no NUL in text")
    case = make_case(center, "consultation", title="吊灯\x00secret0\x00咨询")
    login_as(center.staff["consultation"])
    client.get(f"/cases/{case.reference}")
    assert queries_of(client, f"/cases/{case.reference}", rendered=False) > SERVED_AGAIN


def test_search_results_follow_the_index_even_when_it_changes_without_the_database(client, login_as, center, runner):
    login_as(center.staff["retrieval"])
    assert "CN305000777" not in client.get("/patents/?q=庭院灯").get_data(as_text=True)
    with db.engine.begin() as connection:  # a row written beside the app's sessions, then indexed anew
        connection.execute(insert(Patent).values(country="CN", publication_number="CN305000777",
                                                 patent_type="design", title="庭院灯"))
    generation = data_generation()
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert data_generation() == generation
    assert "CN305000777" in client.get("/patents/?q=庭院灯").get_data(as_text=True)
    assert db.session.scalar(select(Patent.title).where(Patent.publication_number == "CN305000777")) == "庭院灯"


def _add_note(client, case, comment: str) -> None:
    """An internal note sent from the case page as it is shown now."""
    form = form_on(client.get(f"/cases/{case.reference}").get_data(as_text=True), "note-form")
    assert client.post(f"/cases/{case.reference}/notes", data={
        "csrf_token": hidden(form, "csrf_token"), "submission_key": hidden(form, "submission_key"),
        "comment": comment}).status_code == 302


def _without_secrets(page: str) -> str:
    """The page with its CSRF token and one-time keys blanked: what differs between two showings."""
    return re.sub(r'<input[^>]*name="([^"]*(?:csrf_token|submission_key))"[^>]*>', r'<input name="\1">', page)
