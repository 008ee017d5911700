"""When a case closes the enterprise is asked one question, how satisfied it is (1 to 5, a comment if it likes): on
the case page, on its home page and in the closing's email; once per case. Staff read the answer on the case."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ipcenter.accounts.models import Role
from ipcenter.cases import satisfaction
from ipcenter.cases.models import SatisfactionAnswer
from ipcenter.cases.operations import advance_case
from ipcenter.cases.satisfaction import AlreadyAnswered, rate_case
from ipcenter.database import utcnow
from ipcenter.extensions import db
from ipcenter.notifications import digest
from ipcenter.notifications.models import Delivery
from ipcenter.notifications.operations import choose_deliveries
from tests.cases.conftest import make_case
from tests.cases.test_concurrency import run_together
from tests.cases.test_lists import references
from tests.conftest import make_user


def answers() -> list[tuple[int, int, str]]:
    """(case id, score, comment) of every answer kept."""
    return [(a.case_id, a.score, a.comment) for a in db.session.scalars(select(SatisfactionAnswer))]


def satisfaction_panel(page: str) -> str:
    match = re.search(r'<section[^>]*id="satisfaction".*?</section>', page, re.S)
    return match.group(0) if match else ""


def question_link(message) -> str | None:
    """The path of the satisfaction question's link in an email, if it asks."""
    match = re.search(r"https?://ipcenter\.test(/cases/[\w-]+/satisfaction)\b", message.get_content())
    return match.group(1) if match else None


def close_over_http(client, login_as, center, case, post: str = "consultation", action: str = "close", **fields):
    login_as(center.staff[post])
    response = client.submit(f"/cases/{case.reference}/actions/{action}", {"version": case.version, **fields},
                             page="/")
    assert response.status_code == 302
    client.submit("/logout", page="/")


@pytest.fixture
def closed(client, login_as, center):
    """A consultation answered, then closed by its post over HTTP."""
    case = make_case(center, "consultation", "answered")
    close_over_http(client, login_as, center, case)
    return case


def rate(client, case, score, comment=""):
    return client.submit(f"/cases/{case.reference}/satisfaction", {"score": score, "comment": comment},
                         page=f"/cases/{case.reference}")


def test_the_closing_email_asks_and_its_link_leads_to_the_question_after_logging_in(client, center, closed, mailbox):
    [message] = [m for m in mailbox() if m["To"] == center.enterprise.email and closed.reference in m["Subject"]]
    assert "How satisfied are you with the center’s work on this request?" in message.get_content()
    link = question_link(message)
    assert link == f"/cases/{closed.reference}/satisfaction"
    to_login = client.get(link)
    assert to_login.status_code == 302 and "/login?next=" in to_login.headers["Location"]
    back = client.submit(to_login.headers["Location"], {"email": center.enterprise.email,
                                                        "password": "Lamp-shade-2026"}, page="/login")
    assert back.headers["Location"] == link
    to_question = client.get(link)
    assert to_question.headers["Location"] == f"/cases/{closed.reference}#satisfaction"
    panel = satisfaction_panel(client.get(f"/cases/{closed.reference}").get_data(as_text=True))
    assert 'id="satisfaction-form"' in panel and "Very dissatisfied" in panel and "Very satisfied" in panel


def test_the_enterprise_rates_once_and_a_second_answer_is_refused(client, login_as, center, closed):
    login_as(center.enterprise)
    response = rate(client, closed, 4, "答复清楚，很及时。")
    assert response.status_code == 302 and response.headers["Location"].endswith("#satisfaction")
    panel = satisfaction_panel(client.get(f"/cases/{closed.reference}").get_data(as_text=True))
    assert "4</span> / 5 · Satisfied" in panel and "答复清楚，很及时。" in panel and "satisfaction-form" not in panel
    again = rate(client, closed, 1, "改个主意")
    assert again.status_code == 409
    assert f"{center.enterprise.display_name} answered for your enterprise on" in again.get_data(as_text=True)
    client.submit("/logout", page="/")
    colleague = make_user(Role.ENTERPRISE, organisation=center.enterprise.organisation)
    login_as(colleague)
    assert rate(client, closed, 2).status_code == 409
    assert answers() == [(closed.id, 4, "答复清楚，很及时。")]


def test_two_answers_at_the_same_moment_one_is_kept_the_other_told(client, login_as, center, closed, monkeypatch):
    """Both checked before either was kept: the database's one answer per case settles it."""
    colleague = make_user(Role.ENTERPRISE, organisation=center.enterprise.organisation)
    rate_case(closed, colleague, 5)
    db.session.commit()
    monkeypatch.setattr(satisfaction, "answer_of", lambda case: None)  # as checked before the colleague's commit
    login_as(center.enterprise)
    response = rate(client, closed, 1, "太慢")
    assert response.status_code == 409
    assert f"{colleague.display_name} answered for your enterprise on" in response.get_data(as_text=True)
    assert answers() == [(closed.id, 5, "")]


def test_two_colleagues_answering_at_once_on_postgresql(app, center, closed):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serialises every write")
    people = [center.enterprise.id, make_user(Role.ENTERPRISE, organisation=center.enterprise.organisation).id]

    def answer(user_id, score):
        def job(barrier: threading.Barrier):
            from ipcenter.accounts.models import User
            from ipcenter.cases.models import Case
            case, user = db.session.get(Case, closed.id), db.session.get(User, user_id)
            barrier.wait()
            rate_case(case, user, score)
            return "kept"
        return job

    results = run_together(app, [answer(people[0], 5), answer(people[1], 1)])
    assert sorted(type(result).__name__ for result in results) == ["AlreadyAnswered", "str"], results
    assert db.session.scalar(select(func.count(SatisfactionAnswer.id))) == 1


def test_another_enterprise_can_neither_rate_nor_see_it(client, login_as, center, closed):
    rate_case(closed, center.enterprise, 3, "一般")
    db.session.commit()
    login_as(center.other_enterprise)
    assert client.get(f"/cases/{closed.reference}").status_code == 404
    assert client.get(f"/cases/{closed.reference}/satisfaction").status_code == 404
    assert rate(client, closed, 1).status_code == 404
    assert answers() == [(closed.id, 3, "一般")]


def test_staff_see_the_answer_score_comment_who_and_when_and_cannot_answer(client, login_as, center, closed):
    login_as(center.enterprise)
    rate(client, closed, 2, "等待时间太长。")
    client.submit("/logout", page="/")
    login_as(center.outsider_staff)  # any center user who may read the case
    panel = satisfaction_panel(client.get(f"/cases/{closed.reference}").get_data(as_text=True))
    assert "The enterprise’s satisfaction" in panel and "2</span> / 5 · Dissatisfied" in panel
    assert "等待时间太长。" in panel
    assert re.search(rf"Answered by {center.enterprise.display_name} on \d{{4}}-\d\d-\d\d \d\d:\d\d<", panel)
    assert rate(client, closed, 5).status_code == 403


def test_the_unit_that_worked_on_the_case_does_not_see_the_answer(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    case.delegated_unit = center.unit
    advance_case(case, "resolve", center.reporter, comment="已解决")
    advance_case(case, "close", center.staff["foreign_assistance"])
    rate_case(case, center.enterprise, 5, "律所很专业")
    case.delegated_unit = center.unit  # as if it still held it: the answer is the center's and the enterprise's
    db.session.commit()
    login_as(center.reporter)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="satisfaction"' not in page and "律所很专业" not in page


@pytest.mark.parametrize("score", ["", "0", "6", "四", "4.5"])
def test_a_score_that_is_no_score_is_told_beside_the_field(client, login_as, center, closed, score):
    login_as(center.enterprise)
    response = rate(client, closed, score, "评论照样保留")
    assert response.status_code == 400
    panel = satisfaction_panel(response.get_data(as_text=True))
    beside = re.search(r'<fieldset[^>]*aria-describedby="score-error".*?</fieldset>', panel, re.S).group(0)
    assert 'id="score-error">Choose a score from 1 (very dissatisfied) to 5 (very satisfied).<' in beside
    assert "评论照样保留" in panel  # what was typed stays
    assert answers() == []


def test_an_open_case_cannot_be_rated(client, login_as, center):
    case = make_case(center, "consultation", "answered")  # the answer is delivered, the case not closed
    login_as(center.enterprise)
    assert 'id="satisfaction"' not in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    response = rate(client, case, 5)
    assert response.status_code == 400
    assert "once the case has closed with its result or was not accepted" in response.get_data(as_text=True)
    assert answers() == []


def test_a_request_not_accepted_is_asked_and_one_withdrawn_is_not(client, login_as, center, mailbox):
    refused = make_case(center, "consultation")
    close_over_http(client, login_as, center, refused, action="not_accept", reason="不属于本中心服务范围")
    withdrawn = make_case(center, "consultation")
    login_as(center.enterprise)
    client.submit(f"/cases/{withdrawn.reference}/actions/withdraw", {"version": withdrawn.version,
                                                                    "reason": "已自行解决"}, page="/")
    mail = {m["Subject"]: m for m in mailbox() if m["To"] == center.enterprise.email}
    [refusal] = [m for subject, m in mail.items() if refused.reference in subject]
    assert question_link(refusal) == f"/cases/{refused.reference}/satisfaction"
    assert rate(client, refused, 2, "希望先电话沟通").status_code == 302
    assert 'id="satisfaction"' not in client.get(f"/cases/{withdrawn.reference}").get_data(as_text=True)
    assert rate(client, withdrawn, 3).status_code == 400
    assert answers() == [(refused.id, 2, "希望先电话沟通")]


def test_the_enterprise_that_closes_its_case_itself_is_asked_on_the_page(client, login_as, center, mailbox):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    client.submit(f"/cases/{case.reference}/actions/answer", {"version": case.version, "comment": "十年"}, page="/")
    client.submit("/logout", page="/")
    login_as(center.enterprise)
    assert client.submit(f"/cases/{case.reference}/actions/close", {"version": case.version},
                         page="/").status_code == 302
    to_enterprise = [m for m in mailbox() if m["To"] == center.enterprise.email]
    assert [question_link(m) for m in to_enterprise] == [None]  # the answer's: nobody mails it its own closing
    assert 'id="satisfaction-form"' in client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_reopened_and_closed_again_it_is_still_asked_once(client, login_as, center, closed, mailbox):
    login_as(center.enterprise)
    rate(client, closed, 5, "很好")
    client.submit(f"/cases/{closed.reference}/actions/follow_up", {"version": closed.version,
                                                                  "comment": "还有一个问题"}, page="/")
    client.submit("/logout", page="/")
    db.session.refresh(closed)
    advance_case(closed, "answer", center.staff["consultation"], comment="补充答复")
    db.session.commit()
    close_over_http(client, login_as, center, closed)
    closings = [m for m in mailbox() if m["To"] == center.enterprise.email and "closed" in m["Subject"]]
    assert [question_link(m) is not None for m in closings] == [True, False]
    login_as(center.enterprise)
    assert "satisfaction-form" not in client.get(f"/cases/{closed.reference}").get_data(as_text=True)
    assert rate(client, closed, 1).status_code == 409
    assert answers() == [(closed.id, 5, "很好")]


def test_the_home_page_lists_the_closed_requests_awaiting_an_answer(client, login_as, center, closed):
    withdrawn = make_case(center, "consultation", "withdrawn")
    answered = make_case(center, "consultation", "closed")
    rate_case(answered, center.enterprise, 4)
    still_open = make_case(center, "consultation", "answered")
    db.session.commit()
    login_as(center.enterprise)
    page = client.get("/").get_data(as_text=True)
    heading = re.search(r'<h2[^>]*id="heading-to_rate"><a href="([^"]+)">[^<]*</a> \((\d+)\)', page)
    assert heading.group(2) == "1"
    listed = page.split('id="heading-to_rate"')[1]
    assert closed.reference in listed
    assert not {withdrawn.reference, answered.reference, still_open.reference} & set(references_in(listed))
    assert references(client.get(heading.group(1).replace("&amp;", "&"))) == [closed.reference]
    rate(client, closed, 5)
    assert 'id="heading-to_rate"' not in client.get("/").get_data(as_text=True)


def references_in(html: str) -> list[str]:
    return [chunk.split('"')[0] for chunk in html.split('data-reference="')[1:]]


def test_the_digest_asks_too(client, login_as, center, runner, mailbox, monkeypatch):
    choose_deliveries(center.enterprise, {"stage_changed": Delivery.DIGEST})
    case = make_case(center, "consultation", "answered")
    close_over_http(client, login_as, center, case)
    assert not [m for m in mailbox() if m["To"] == center.enterprise.email]
    monkeypatch.setattr(digest, "utcnow", lambda: utcnow() + timedelta(days=1))
    assert runner.invoke(args=["notifications", "digest"]).exit_code == 0
    [message] = [m for m in mailbox() if m["To"] == center.enterprise.email]
    assert question_link(message) == f"/cases/{case.reference}/satisfaction"


def test_the_operation_refuses_a_second_answer(center):
    case = make_case(center, "fast_retrieval", "closed")
    rate_case(case, center.enterprise, 4)
    with pytest.raises(AlreadyAnswered):
        rate_case(case, center.enterprise, 5)
