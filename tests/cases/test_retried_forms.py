"""A form whose answer never reached the browser is sent again: the retry adds nothing a second time."""
import io
from datetime import date, timedelta
from urllib.parse import quote

from sqlalchemy import func, select, update

from ipcenter.cases.models import Attachment, Case, CaseEvent, EventKind
from ipcenter.database import utcnow
from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from ipcenter.reports.models import Citation, SearchRecord
from ipcenter.submission_keys import UsedSubmissionKey
from tests.cases.conftest import DETAILS, make_case
from tests.retries import form_on, hidden, opened_form, sent_and_dropped

PDF = b"%PDF-1.4\n" + b"0" * 200


def count(kind=None, model=CaseEvent) -> int:
    query = select(func.count()).select_from(model)
    return db.session.scalar(query.where(CaseEvent.kind == kind) if kind else query)


def test_a_request_sent_again_after_its_answer_was_lost_makes_one_case(client, login_as, center):
    login_as(center.enterprise)
    html = client.get("/cases/new/consultation").get_data(as_text=True)
    form = {**DETAILS["consultation"], "csrf_token": hidden(html, "csrf_token"),
            "submission_token": hidden(html, "submission_token")}
    sent_and_dropped(client, "/cases/new/consultation", {**form, "files": [(io.BytesIO(PDF), "图纸.pdf")]},
                     content_type="multipart/form-data")
    assert count(model=Case) == 1  # committed, though the browser never heard
    retry = client.post("/cases/new/consultation", data={**form, "files": [(io.BytesIO(PDF), "图纸.pdf")]},
                        content_type="multipart/form-data")
    case = db.session.scalar(select(Case))
    assert retry.status_code == 302 and retry.headers["Location"] == f"/cases/{case.reference}"
    assert count(model=Case) == 1 and count(model=Attachment) == 1
    page = client.get(retry.headers["Location"]).get_data(as_text=True)
    assert f"This form was submitted already, as request {case.reference}; no second request was made." in page


def _note_form(client, case) -> dict:
    form = form_on(client.get(f"/cases/{case.reference}").get_data(as_text=True), "note-form")
    return {"csrf_token": hidden(form, "csrf_token"), "submission_key": hidden(form, "submission_key"),
            "comment": "客户催问进度"}


def test_a_note_sent_again_after_its_answer_was_lost_is_added_once(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    form = _note_form(client, case)
    sent_and_dropped(client, f"/cases/{case.reference}/notes", form)
    retry = client.post(f"/cases/{case.reference}/notes", data=form)
    assert retry.status_code == 302 and retry.headers["Location"] == f"/cases/{case.reference}"
    assert count(EventKind.NOTE) == 1
    assert "This form was sent already; nothing was added twice." in client.get(
        retry.headers["Location"]).get_data(as_text=True)


def test_each_note_form_shown_adds_its_own_note(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    client.post(f"/cases/{case.reference}/notes", data=_note_form(client, case))
    client.post(f"/cases/{case.reference}/notes", data=_note_form(client, case))
    assert count(EventKind.NOTE) == 2


def test_a_progress_report_sent_again_after_its_answer_was_lost_is_filed_once(client, login_as, center):
    case = make_case(center, "consultation")
    case.delegated_unit = center.unit
    db.session.commit()
    login_as(center.reporter)
    form = form_on(client.get(f"/cases/{case.reference}").get_data(as_text=True), "progress-form")
    data = {"csrf_token": hidden(form, "csrf_token"), "submission_key": hidden(form, "submission_key"),
            "percent": "50", "note": "已联系展会主办方"}
    sent_and_dropped(client, f"/cases/{case.reference}/progress", data)
    retry = client.post(f"/cases/{case.reference}/progress", data=data)
    assert retry.headers["Location"] == f"/cases/{case.reference}"
    assert count(EventKind.PROGRESS_REPORT) == 1


def test_a_refused_note_leaves_its_key_unused_so_that_sending_it_corrected_works(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    form = _note_form(client, case)
    refused = client.post(f"/cases/{case.reference}/notes", data={**form, "files": [(io.BytesIO(b"MZ"), "a.exe")]},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and count(model=UsedSubmissionKey) == 0
    assert f'value="{form["submission_key"]}"' in refused.get_data(as_text=True)  # the form shown again keeps it
    assert client.post(f"/cases/{case.reference}/notes", data=form).status_code == 302
    assert count(EventKind.NOTE) == 1


def test_a_forged_key_is_refused_with_the_reason(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    response = client.post(f"/cases/{case.reference}/notes", data={**_note_form(client, case),
                                                                   "submission_key": "forged"})
    assert response.status_code == 400 and count(EventKind.NOTE) == 0
    assert "This form was not opened from the center&#39;s site, or has expired" in response.get_data(as_text=True)


def test_a_note_sent_twice_at_once_is_added_once(client, login_as, center, monkeypatch):
    """The second sending passes the look-up before the first commits; the unique key stops it."""
    from ipcenter import submission_keys

    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    form = _note_form(client, case)
    client.post(f"/cases/{case.reference}/notes", data=form)
    real = submission_keys.earlier_location
    calls = []
    monkeypatch.setattr(submission_keys, "earlier_location",
                        lambda key, user: None if not calls.append(1) and len(calls) == 1 else real(key, user))
    retry = client.post(f"/cases/{case.reference}/notes", data=form)
    assert len(calls) == 2 and retry.headers["Location"] == f"/cases/{case.reference}"
    assert count(EventKind.NOTE) == 1


def _lamp() -> Patent:
    db.session.add(Patent(country="CN", publication_number="CN301000001", kind_code="S", patent_type="design",
                          title="六臂水晶吊灯", publication_date=date(2022, 5, 1), locarno="26-05",
                          applicants="中山市古镇明珠照明电器厂"))
    db.session.commit()
    return db.session.scalar(select(Patent))


def test_a_citation_sent_again_after_its_answer_was_lost_is_made_once_and_answered_as_before(center, client,
                                                                                            login_as):
    patent = _lamp()
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    results = f"/patents/?q={quote('吊灯')}&case={case.reference}"
    html = client.get(results).get_data(as_text=True)
    form = {"csrf_token": hidden(html, "csrf_token"), "submission_key": hidden(form_on(html, "cite-form-[0-9]+"),
                                                                               "submission_key"),
            "case": case.reference, "patent_id": patent.id, "category": "X", "note": "公开了相同的灯臂",
            "next": results}
    sent_and_dropped(client, "/citations", form)
    retry = client.post("/citations", data=form)
    assert retry.status_code == 302 and retry.headers["Location"] == results  # not "cited already: replace it?"
    assert db.session.scalar(select(func.count()).select_from(Citation)) == 1


def test_a_recorded_search_sent_again_after_its_answer_was_lost_is_recorded_once(center, client, login_as):
    _lamp()
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    results = f"/patents/?q={quote('吊灯')}&case={case.reference}"
    form = opened_form(client, results, "record-search", {"q": "吊灯", "mode": "query", "next": results})
    sent_and_dropped(client, f"/cases/{case.reference}/search-report/searches", form)
    retry = client.post(f"/cases/{case.reference}/search-report/searches", data=form)
    assert retry.status_code == 302 and retry.headers["Location"] == results
    assert db.session.scalar(select(func.count()).select_from(SearchRecord)) == 1
    assert "This form was sent already; nothing was added twice." in client.get(results).get_data(as_text=True)


def test_the_worker_forgets_keys_older_than_the_setting_and_a_form_that_old_adds_again(app, client, login_as,
                                                                                      center, runner):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    form = _note_form(client, case)
    client.post(f"/cases/{case.reference}/notes", data=form)
    fresh = _note_form(client, case)
    client.post(f"/cases/{case.reference}/notes", data=fresh)
    db.session.execute(update(UsedSubmissionKey).where(UsedSubmissionKey.key == form["submission_key"])
                       .values(used_at=utcnow() - timedelta(days=app.config["SUBMISSION_KEY_DAYS"], minutes=1)))
    db.session.commit()
    assert runner.invoke(args=["mail", "retry"]).output.strip().endswith(", old submission keys forgotten: 1")
    assert db.session.scalars(select(UsedSubmissionKey.key)).all() == [fresh["submission_key"]]
    assert client.post(f"/cases/{case.reference}/notes", data=form).status_code == 302
    assert count(EventKind.NOTE) == 3  # a month on, the page sent again is a new note


def _case_form(client, case, form_id: str, fields: dict) -> dict:
    """A form on the case page as it sends: its hidden keys and the case version it was shown with."""
    form = form_on(client.get(f"/cases/{case.reference}").get_data(as_text=True), form_id)
    return {name: hidden(form, name) for name in ("csrf_token", "version", "submission_key")} | fields


def test_an_answer_sent_again_after_its_answer_was_lost_moves_the_case_once_and_says_so(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    form = _case_form(client, case, "form-answer", {"comment": "可以申请外观设计专利。"})
    sent_and_dropped(client, f"/cases/{case.reference}/actions/answer", form)
    retry = client.post(f"/cases/{case.reference}/actions/answer", data=form)
    assert retry.status_code == 302 and retry.headers["Location"] == f"/cases/{case.reference}"  # not "reload"
    assert count(EventKind.TRANSITION) == 1
    assert "This form was sent already; nothing was added twice." in client.get(
        retry.headers["Location"]).get_data(as_text=True)


def test_a_delegation_sent_again_after_its_answer_was_lost_is_made_once(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    login_as(center.staff[case.post.code])
    form = _case_form(client, case, "delegate-form", {"unit": center.unit.id, "comment": "请出具侵权比对意见。"})
    sent_and_dropped(client, f"/cases/{case.reference}/delegate", form)
    retry = client.post(f"/cases/{case.reference}/delegate", data=form)
    assert retry.status_code == 302 and retry.headers["Location"] == f"/cases/{case.reference}"
    assert count(EventKind.DELEGATED) == 1
