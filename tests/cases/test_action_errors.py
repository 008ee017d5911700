"""Mistakes on the case page's forms: a 400 that keeps what was typed and says what is wrong, beside the field
that caused it and in the summary above — never a 500."""
import io
import re

import pytest

from ipcenter.cases.models import Case
from ipcenter.extensions import db
from tests.cases.conftest import make_case


def error_beside(html: str, form_id: str, field: str) -> str:
    """The error shown under `field` inside the form `form_id`."""
    form = html[html.index(f'id="{form_id}"'):]
    form = form[:form.index("</form>")]
    after = form[form.index(f'name="{field}"'):]
    match = re.match(r'[^<]*(?:<[^>]*>\s*(?:</textarea>)?\s*)*?<div class="invalid-feedback[^"]*">\s*([^<]+?)\s*</div>',
                     after[after.index(">") + 1:], re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def summary(html: str) -> str:
    return re.search(r'id="case-error"[^>]*>\s*(.*?)\s*</div>', html, re.S).group(1)


@pytest.fixture
def delegated(center):
    case = make_case(center, "foreign_assistance", "in_progress")
    case.delegated_unit = center.unit
    db.session.commit()
    return case


@pytest.mark.parametrize("percent, message", [("", "Give the progress in percent."),
                                              ("abc", "Not a valid integer value."),
                                              ("150", "Number must be between 0 and 100.")])
def test_a_progress_report_with_a_bad_percentage_is_refused_beside_the_field(client, login_as, center, delegated,
                                                                            percent, message):
    login_as(center.reporter)
    response = client.submit(f"/cases/{delegated.reference}/progress", {"percent": percent, "note": "已联系对方律师"},
                             page=f"/cases/{delegated.reference}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_beside(html, "progress-form", "percent") == message
    assert f"Progress (%): {message}" in summary(html)
    assert "已联系对方律师</textarea>" in html  # what was typed stays


def test_a_missing_required_input_is_shown_beside_its_field(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    response = client.submit(f"/cases/{case.reference}/actions/answer", {"version": case.version, "comment": " "},
                             page="/")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_beside(html, "form-answer", "comment") == "This step needs: a comment."
    assert summary(html) == "This step needs: a comment."
    assert 'id="action-answer" class="accordion-collapse collapse show"' in html


@pytest.mark.parametrize("typed", ["ZL202130123456.9", "ZL2021301234", "US10123456", "专利号"])
def test_recording_a_grant_refuses_a_malformed_patent_number(client, login_as, center, typed):
    case = make_case(center, "fast_pre_examination", "forwarded")
    login_as(center.staff[case.post.code])
    response = client.submit(f"/cases/{case.reference}/actions/record_grant",
                             {"version": case.version, "patent_number": typed, "comment": "已授权"}, page="/")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    message = "This is not a valid Chinese patent number (e.g. ZL202130123456.8: the application number, whose " \
              "last character is a check digit)."
    assert error_beside(html, "form-record_grant", "patent_number") == message and summary(html) == message
    assert f'value="{typed}"' in html
    case = db.session.get(Case, case.id)
    assert case.stage == "forwarded" and case.patent_number is None


@pytest.mark.parametrize("typed", ["ZL 2021 3 0123456.8", "zl202130123456.8", "202130123456.8",
                                   "CN202130123456.8"])
def test_a_grant_is_recorded_under_one_form_of_the_patent_number(client, login_as, center, typed):
    case = make_case(center, "fast_pre_examination", "forwarded")
    login_as(center.staff[case.post.code])
    response = client.submit(f"/cases/{case.reference}/actions/record_grant",
                             {"version": case.version, "patent_number": typed}, page="/")
    assert response.status_code == 302
    assert db.session.get(Case, case.id).patent_number == "ZL202130123456.8"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("form, url, data, files", [
    ("form-answer", "/cases/{ref}/actions/answer", {"comment": ""}, ["答复依据.pdf"]),  # a required comment missing
    ("note-form", "/cases/{ref}/notes", {"comment": ""}, ["内部材料.pdf", "截图.pdf"]),
])
def test_files_sent_with_a_form_that_comes_back_must_be_chosen_again_and_the_user_is_told(client, login_as, center,
                                                                                         form, url, data, files):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    response = client.submit(url.format(ref=case.reference), {
        "version": case.version, **data, "files": [(io.BytesIO(PDF), name) for name in files]},
        page=f"/cases/{case.reference}", content_type="multipart/form-data")
    assert response.status_code == 400
    told = error_beside(response.get_data(as_text=True), form, "files")
    if len(files) == 1:
        assert told == "The file you chose (答复依据.pdf) was not saved: choose it again before sending the form."
    else:
        assert told == ("The files you chose (内部材料.pdf and 截图.pdf) were not saved: choose them again before "
                        "sending the form.")
    assert db.session.get(Case, case.id).events[-1].attachments == []


def test_the_internal_note_card_does_not_repeat_its_heading_as_the_label(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    card = html[html.index("Internal note"):html.index('id="note-form"')]
    label = re.search(r'<label[^>]*for="comment"[^>]*>([^<]+)</label>', html[html.index('id="note-form"'):]).group(1)
    assert "Internal note" in card and label == "What the center should know"


def test_each_field_on_a_case_page_has_an_id_of_its_own_and_each_label_names_its_field(client, login_as, center):
    """Several actions, the delegation and the note each ask for a comment: a label must lead to its own form's."""
    case = make_case(center, "fast_pre_examination", "pre_examination")
    login_as(center.staff["pre_examination"])
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({name for name in ids if ids.count(name) > 1})
    assert html.count('name="comment"') >= 3
    assert all(target in ids for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
