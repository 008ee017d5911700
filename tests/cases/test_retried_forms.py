"""A form whose answer never reached the browser is sent again: the retry adds nothing a second time."""
import io
from datetime import date
from types import SimpleNamespace
from typing import NamedTuple
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from ipcenter import submission_keys
from ipcenter.cases.models import Attachment, Case, CaseEvent, EventKind
from ipcenter.cases.operations import advance_case
from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from ipcenter.reports.models import Citation, SearchRecord
from ipcenter.submission_keys import UsedSubmissionKey
from tests.cases.conftest import DETAILS, make_case
from tests.retries import form_on, forms_sent_later, hidden, opened_form, sent_and_dropped, sent_from_the_page

PDF = b"%PDF-1.4\n" + b"0" * 200
SENT_ALREADY = "This form was sent already; nothing was added twice."


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
    assert SENT_ALREADY in client.get(
        retry.headers["Location"]).get_data(as_text=True)


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


def missing_once(monkeypatch, lookup: str) -> list:
    """The look-up `lookup` of submission_keys finds nothing the first time, as when the other sending has not
    committed yet; its calls are listed."""
    real = getattr(submission_keys, lookup)
    calls: list = []

    def look(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(submission_keys, lookup, look)
    return calls


def test_a_note_sent_twice_at_once_is_added_once(client, login_as, center, monkeypatch):
    """The second sending passes the look-ups before the first commits; the unique key stops it."""
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    form = _note_form(client, case)
    client.post(f"/cases/{case.reference}/notes", data=form)
    keys = missing_once(monkeypatch, "earlier_location")
    missing_once(monkeypatch, "resent_location")
    retry = client.post(f"/cases/{case.reference}/notes", data=form)
    assert len(keys) == 2 and retry.headers["Location"] == f"/cases/{case.reference}"
    assert count(EventKind.NOTE) == 1


def test_the_same_note_sent_from_two_pages_at_once_is_added_once(client, login_as, center, monkeypatch):
    """Two keys, the same text: the second sending passes the look-ups before the first commits; the unique
    fingerprint stops it."""
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    first, second = _note_form(client, case), _note_form(client, case)
    client.post(f"/cases/{case.reference}/notes", data=first)
    fingerprints = missing_once(monkeypatch, "resent_location")
    again = client.post(f"/cases/{case.reference}/notes", data=second)
    assert len(fingerprints) == 2 and again.headers["Location"] == f"/cases/{case.reference}"
    assert count(EventKind.NOTE) == 1
    assert SENT_ALREADY in client.get(again.headers["Location"]).get_data(as_text=True)


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
    assert SENT_ALREADY in client.get(results).get_data(as_text=True)


def test_a_search_or_citation_removed_from_the_report_can_be_added_again_at_once(center, client, login_as):
    """Their fields are the results page's own (nothing to reword): only the key tells a resend."""
    patent = _lamp()
    case = make_case(center, "fast_retrieval", "searching")
    login_as(center.staff["retrieval"])
    results = f"/patents/?q={quote('吊灯')}&case={case.reference}"
    for _ in range(2):
        assert client.post(f"/cases/{case.reference}/search-report/searches", data=opened_form(
            client, results, "record-search", {"q": "吊灯", "mode": "query", "next": results})).status_code == 302
        html = client.get(results).get_data(as_text=True)
        assert client.post("/citations", data={
            "csrf_token": hidden(html, "csrf_token"),
            "submission_key": hidden(form_on(html, "cite-form-[0-9]+"), "submission_key"),
            "case": case.reference, "patent_id": patent.id, "category": "X", "note": "公开了相同的灯臂",
            "next": results}).status_code == 302
        assert SENT_ALREADY not in client.get(results).get_data(as_text=True)
        record, citation = db.session.scalar(select(SearchRecord)), db.session.scalar(select(Citation))
        for removal in (f"search-report/searches/{record.id}/remove", f"citations/{citation.id}/remove"):
            assert client.submit(f"/cases/{case.reference}/{removal}", {}, page=f"/cases/{case.reference}"
                                 ).status_code == 302
        assert db.session.scalar(select(func.count()).select_from(Citation)) == 0


def test_the_worker_forgets_keys_older_than_the_setting_and_a_form_that_old_adds_again(app, client, login_as,
                                                                                      center, runner, monkeypatch):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    form = _note_form(client, case)
    client.post(f"/cases/{case.reference}/notes", data=form)
    forms_sent_later(monkeypatch, days=app.config["SUBMISSION_KEY_DAYS"], minutes=1)
    fresh = _note_form(client, case)
    client.post(f"/cases/{case.reference}/notes", data={**fresh, "comment": "客户再次催问"})
    # the first note's key and the fingerprint of what it sent
    assert runner.invoke(args=["mail", "retry"]).output.strip().endswith(", old submission keys forgotten: 2")
    kept = db.session.scalars(select(UsedSubmissionKey.key)).all()
    assert fresh["submission_key"] in kept and form["submission_key"] not in kept and len(kept) == 2
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
    assert SENT_ALREADY in client.get(
        retry.headers["Location"]).get_data(as_text=True)


def test_a_delegation_sent_again_after_its_answer_was_lost_is_made_once(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    login_as(center.staff[case.post.code])
    form = _case_form(client, case, "delegate-form", {"unit": center.unit.id, "comment": "请出具侵权比对意见。"})
    sent_and_dropped(client, f"/cases/{case.reference}/delegate", form)
    retry = client.post(f"/cases/{case.reference}/delegate", data=form)
    assert retry.status_code == 302 and retry.headers["Location"] == f"/cases/{case.reference}"
    assert count(EventKind.DELEGATED) == 1


class CaseForm(NamedTuple):
    """A form on the case page that adds to the timeline, as one user sends it."""

    form_id: str
    path: str  # under the case's address
    typed: dict
    other: dict  # something else typed into the same form
    kind: EventKind  # what it adds, by its sender


CASE_FORMS = {
    "note": CaseForm("note-form", "notes", {"comment": "客户催问进度"}, {"comment": "客户同意补充材料"},
                     EventKind.NOTE),
    "progress report": CaseForm("progress-form", "progress", {"percent": "50", "note": "已联系展会主办方"},
                                {"percent": "50", "note": "已提交不侵权说明"}, EventKind.PROGRESS_REPORT),
    "stage change": CaseForm("form-answer", "actions/answer", {"comment": "可以申请外观设计专利。"},
                             {"comment": "外观设计专利的保护期为十五年。"}, EventKind.TRANSITION),
}


def _sent_on_a_case(name: str, center, login_as):
    """The case, its form `name` and the user who sends it, logged in; and what happens on the case meanwhile."""
    case = make_case(center, "consultation")
    sender = center.staff["consultation"]
    between = None
    if name == "progress report":
        case.delegated_unit = center.unit
        db.session.commit()
        sender = center.reporter
    elif name == "stage change":
        def between():  # the enterprise asks a follow-up question: the answer form is on the page again
            advance_case(case, "ask_question", center.enterprise, comment="那实用新型呢？")
            db.session.commit()
    login_as(sender)
    return SimpleNamespace(case=case, form=CASE_FORMS[name], sender=sender, between=between or (lambda: None))


@pytest.fixture(params=CASE_FORMS)
def case_form(request, center, login_as):
    return _sent_on_a_case(request.param, center, login_as)


@pytest.fixture(params=["note", "progress report"])
def resent_form(request, center, login_as):
    """A form that stays on the case page once sent: Back brings it back as it was."""
    return _sent_on_a_case(request.param, center, login_as)


def send(client, sent, fields: dict):
    """Open the case page and send the form with `fields` typed in; done again, Back and submit again."""
    page = f"/cases/{sent.case.reference}"
    return sent_from_the_page(client, page, sent.form.form_id, f"{page}/{sent.form.path}", fields)


def added(sent) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.kind == sent.form.kind, CaseEvent.actor_id == sent.sender.id))


def test_a_case_form_sent_again_after_back_adds_once_and_says_so(client, resent_form):
    first = send(client, resent_form, resent_form.form.typed)
    again = send(client, resent_form, resent_form.form.typed)  # a fresh key, the text restored
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert added(resent_form) == 1
    assert SENT_ALREADY in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_same_answer_to_a_case_that_moved_on_since_is_a_new_answer(client, center, login_as):
    answer = _sent_on_a_case("stage change", center, login_as)
    send(client, answer, answer.form.typed)
    answer.between()  # the enterprise asked again: the page now shows another case version
    again = send(client, answer, answer.form.typed)
    assert again.status_code == 302 and added(answer) == 2
    assert SENT_ALREADY not in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_same_words_sent_again_with_a_file_are_a_new_sending(client, resent_form):
    """A browser never fills a file in again: a sending with one is no Back and submit again."""
    send(client, resent_form, resent_form.form.typed)
    page = f"/cases/{resent_form.case.reference}"
    fields = opened_form(client, page, resent_form.form.form_id, resent_form.form.typed)
    again = client.post(f"{page}/{resent_form.form.path}", data={**fields, "files": [(io.BytesIO(PDF), "签收单.pdf")]},
                        content_type="multipart/form-data")
    assert again.status_code == 302 and added(resent_form) == 2
    assert count(model=Attachment) == 1
    assert SENT_ALREADY not in client.get(again.headers["Location"]).get_data(as_text=True)
    assert send(client, resent_form, resent_form.form.typed).status_code == 302  # and Back once more:
    assert added(resent_form) == 2  # recognised as that sending again


def test_a_case_form_sent_again_with_other_text_adds_a_second_time(client, case_form):
    send(client, case_form, case_form.form.typed)
    case_form.between()
    again = send(client, case_form, case_form.form.other)
    assert again.status_code == 302 and added(case_form) == 2
    assert SENT_ALREADY not in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_case_form_sent_again_with_the_same_text_after_the_window_adds_a_second_time(app, client, case_form,
                                                                                      monkeypatch):
    send(client, case_form, case_form.form.typed)
    case_form.between()
    forms_sent_later(monkeypatch, minutes=app.config["SUBMISSION_RESENT_MINUTES"], seconds=1)
    again = send(client, case_form, case_form.form.typed)
    assert again.status_code == 302 and added(case_form) == 2
    assert SENT_ALREADY not in client.get(again.headers["Location"]).get_data(as_text=True)
