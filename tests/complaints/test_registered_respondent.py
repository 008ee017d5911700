"""A respondent that is itself a registered enterprise: its users find the complaint on their home page once the
center has notified them, read the same notice and answer from their own page; the complainant's side of the
case never opens to them, nor do its files, lists or exports."""
import io
import re

from flask_babel import format_date

from ipcenter.cases.models import Case
from ipcenter.complaints.operations import latest_link
from ipcenter.extensions import db
from ipcenter.i18n import local_time
from tests.cases.conftest import make_case
from tests.complaints.conftest import EVIDENCE, NOTE, OPINION, PDF, answer_form, attachment_named, link_path

STATEMENT = "我司产品为2018年自主设计，不构成侵权。"


def test_the_respondent_s_users_find_the_complaint_on_their_home_page_once_notified(client, login_as, center,
                                                                                   parties):
    untold = make_case(center, "infringement_complaint", "assessment",
                       respondent_credit_code=parties.respondent.organisation.credit_code)
    login_as(parties.respondent)
    home = client.get("/").get_data(as_text=True)
    listed = re.search(r'<ul class="list-group mb-3" id="complaints-against">(.*?)</ul>', home, re.S).group(1)
    assert "Complaints against your enterprise (1)" in home
    assert f'href="/complaints/{parties.case.reference}/respond"' in listed and "Your answer is awaited" in listed
    case = db.session.get(Case, parties.case.id)
    deadline = (f"Answer by {local_time(case.due_at, 'short')} (China time)." if case.due_at
                else f"Answer due by {format_date(case.due_date, 'medium')}")
    assert f'id="answer-by-{case.reference}">{deadline}' in listed  # the deadline, on the home page too
    assert untold.reference not in home  # the center has not told it of that one yet
    assert f"/cases/{parties.case.reference}" not in home
    assert client.get(f"/complaints/{untold.reference}/respond").status_code == 404


def test_the_complainant_s_case_page_and_files_stay_closed_to_the_respondent(client, login_as, center, parties):
    case = parties.case
    login_as(parties.respondent)
    assert client.get(f"/cases/{case.reference}").status_code == 404
    for name in (EVIDENCE, OPINION):
        assert client.get(f"/cases/{case.reference}/attachments/{attachment_named(case, name).id}").status_code == 404
    assert client.get(f"/complaints/{case.reference}/respond/files/"
                      f"{attachment_named(case, OPINION).id}").status_code == 404  # not released
    page = client.get(f"/complaints/{case.reference}/respond").get_data(as_text=True)
    assert case.reference in page and case.title in page and 'id="answer-form"' in page
    assert EVIDENCE not in page and NOTE not in page and OPINION not in page


def test_a_released_file_opens_from_the_respondent_s_page(client, login_as, center, parties):
    case, opinion = parties.case, attachment_named(parties.case, OPINION)
    login_as(center.staff["rights_protection"])
    client.submit(f"/complaints/{case.reference}/released/{opinion.id}", page=f"/cases/{case.reference}")
    client.submit("/logout", page="/")
    login_as(parties.respondent)
    assert OPINION in client.get(f"/complaints/{case.reference}/respond").get_data(as_text=True)
    download = client.get(f"/complaints/{case.reference}/respond/files/{opinion.id}")
    assert download.status_code == 200 and download.data == PDF
    assert client.get(f"/cases/{case.reference}/attachments/{opinion.id}").status_code == 404


def test_the_respondent_s_user_answers_from_its_page_as_itself(client, login_as, center, parties):
    case, path = parties.case, f"/complaints/{parties.case.reference}/respond"
    login_as(parties.respondent)
    form = answer_form(client, path, STATEMENT, files=(("设计手稿.pdf", PDF),))
    response = client.submit(path, form, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith(path)
    case = db.session.get(Case, case.id)
    step = case.events[-1]
    assert case.stage == "mediation" and step.action == "respondent_answers"
    assert step.actor_id == parties.respondent.id and step.attachments[0].uploaded_by_id == parties.respondent.id
    assert latest_link(case).used_at is not None  # its link takes no second answer
    page = client.get(path).get_data(as_text=True)
    assert "Your answer was received on" in page and 'id="answer-form"' not in page
    client.submit("/logout", page="/")
    assert "Your answer was received" in client.get(link_path(case)).get_data(as_text=True)


def test_nobody_else_answers_for_the_respondent(client, login_as, center, parties):
    path = f"/complaints/{parties.case.reference}/respond"
    for user, status in ((center.enterprise, 404), (center.staff["rights_protection"], 403),
                         (center.reporter, 404)):
        login_as(user)
        sent = client.submit(path, {"comment": STATEMENT, "files": [(io.BytesIO(PDF), "a.pdf")]},
                             content_type="multipart/form-data")
        assert sent.status_code == status, user
        client.submit("/logout", page="/")
    assert db.session.get(Case, parties.case.id).stage == "respondent_answer"


def test_the_respondent_s_lists_and_exports_hold_no_complaint_against_it(client, login_as, center, parties):
    case, organisation = parties.case, parties.respondent.organisation
    own = make_case(center, "consultation")
    own.organisation, own.submitter = organisation, parties.respondent
    db.session.commit()
    login_as(parties.respondent)
    for path in ("/cases/", "/cases/?state=all", "/cases/export.csv?state=all",
                 f"/organisations/{organisation.id}/history.csv"):
        response = client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert own.reference in text and case.reference not in text and case.title not in text, path
    client.submit("/logout", page="/")
    login_as(center.enterprise)  # the complainant's own lists do hold it
    assert case.reference in client.get("/cases/export.csv?state=all").get_data(as_text=True)


def test_the_center_sees_what_the_respondent_is_shown_without_answering_for_it(client, login_as, center, parties):
    login_as(center.staff["rights_protection"])
    page = client.get(f"/complaints/{parties.case.reference}/respond").get_data(as_text=True)
    assert "This is the page the respondent sees" in page and 'id="answer-form"' not in page
    assert parties.case.title in page and NOTE not in page
