"""The respondent's single-use link: made when staff notify the respondent, emailed in Chinese and shown to staff;
it opens the notice addressed to the respondent and nothing else of the case, takes one answer before it expires,
and says clearly when it is spent, expired, forged, or the complaint has moved on."""
import re
from datetime import timedelta

from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from ipcenter.audit.models import AuditEntry
from ipcenter.cases.models import Case, EventKind
from ipcenter.cases.operations import advance_case
from ipcenter.complaints.models import RespondentLink
from ipcenter.complaints.operations import LINK_GRACE, latest_link, link_token
from ipcenter.database import utcnow
from ipcenter.extensions import db
from ipcenter.notifications.models import Notification
from tests.cases.conftest import make_case
from tests.complaints.conftest import (
    ACCEPTED,
    ASSESSED,
    EVIDENCE,
    NOTE,
    NOTIFIED,
    OPINION,
    PDF,
    answer_form,
    attachment_named,
    link_path,
    notified_complaint,
)
from tests.conftest import link_in

STATEMENT = "我司该款吊灯系2019年自主设计，附产品目录。"


def answer(client, path: str, statement: str = STATEMENT, files=(("产品目录.pdf", PDF),)):
    return client.submit(path, answer_form(client, path, statement, files), content_type="multipart/form-data")


def test_notifying_the_respondent_makes_a_link_emailed_in_chinese_and_shown_to_staff(
        client, login_as, center, mailbox):
    case = make_case(center, "infringement_complaint", "respondent_notice", respondent_email="xinhui@example.cn",
                     respondent_name="中山市古镇鑫辉灯饰厂")
    staff = center.staff["rights_protection"]
    login_as(staff)
    response = client.submit(f"/cases/{case.reference}/actions/notify_respondent",
                             {"version": case.version, "comment": NOTIFIED}, page=f"/cases/{case.reference}")
    assert response.status_code == 302
    case = db.session.get(Case, case.id)
    link = latest_link(case)
    assert case.stage == "respondent_answer" and link.created_by_id == staff.id
    assert link.expires_at == case.due_at + LINK_GRACE  # the fair's 24 hours, and the grace
    [message] = [m for m in mailbox() if m["To"] == "xinhui@example.cn"]
    assert case.reference in message["Subject"] and "请答复" in message["Subject"]
    body = message.get_content()
    assert "中山市古镇鑫辉灯饰厂" in body and "被投诉" in body and "仅可答复一次" in body
    assert link_in(message) == link_path(case)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    shown = re.search(r'id="respondent-link" type="text" readonly value="([^"]+)"', page).group(1)
    assert shown.endswith(link_path(case)) and "Emailed to xinhui@example.cn" in page


def test_without_an_email_the_respondent_gets_no_mail_and_staff_send_the_link_by_other_means(
        client, login_as, center, mailbox):
    case = notified_complaint(center, respondent_email=None)
    assert latest_link(case).emailed_to is None
    assert not [m for m in mailbox() if m["To"] == "xinhui@example.cn"]
    login_as(center.staff["rights_protection"])
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "send the link by other means (WeChat" in page and link_path(case) in page


def test_the_link_opens_only_the_notice_addressed_to_the_respondent(client, center, complaint):
    organisation = center.enterprise.organisation
    response = client.get(link_path(complaint))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    notice = re.search(r'<dl class="row mb-0" id="notice">(.*?)</dl>', page, re.S).group(1)
    for shown in (complaint.reference, organisation.name_en, "ZL202130123456.8 (Design)", complaint.title,
                  complaint.description, "Stop making and selling; Damages", "Damages asked: 50000 yuan"):
        assert shown in notice, shown
    assert "Guzhen IP Rapid-Protection Service Center" in page
    assert re.search(r'data-hours-left="2[23]">2[23] hours left', page)  # the fair's 24 hours, on the clock
    for never in (EVIDENCE, OPINION, NOTE, ACCEPTED, ASSESSED, NOTIFIED, organisation.phone, organisation.email,
                  organisation.contact_person, "Timeline", "/cases/"):
        assert never not in page, never


def test_a_respondent_outside_a_fair_answers_by_a_date(client, center):
    case = notified_complaint(center, channel="ordinary", fair_name=None)
    page = client.get(link_path(case)).get_data(as_text=True)
    assert f'data-due-date="{case.due_date.isoformat()}"' in page
    assert f"Answer by the end of {case.due_date.isoformat()} (China time)." in page and "hours left" not in page


def test_staff_release_a_file_to_the_respondent_and_withdraw_it(client, login_as, center, complaint):
    opinion, evidence = attachment_named(complaint, OPINION), attachment_named(complaint, EVIDENCE)
    path = link_path(complaint)
    assert client.get(f"{path}/files/{opinion.id}").status_code == 404
    login_as(center.staff["rights_protection"])
    release = f"/complaints/{complaint.reference}/released/{opinion.id}"
    assert client.submit(release, page=f"/cases/{complaint.reference}").status_code == 302
    assert f'data-attachment="{opinion.id}" data-released="yes"' in \
        client.get(f"/cases/{complaint.reference}").get_data(as_text=True)
    client.submit("/logout", page="/")
    page = client.get(path).get_data(as_text=True)
    assert OPINION in page and EVIDENCE not in page
    download = client.get(f"{path}/files/{opinion.id}")
    assert download.status_code == 200 and download.data == PDF
    assert client.get(f"{path}/files/{evidence.id}").status_code == 404  # not released
    assert client.get(f"/complaints/{complaint.reference}/respond/files/{opinion.id}").status_code == 302  # login
    login_as(center.staff["rights_protection"])
    assert client.submit(f"{release}/withdraw", page=f"/cases/{complaint.reference}").status_code == 302
    client.submit("/logout", page="/")
    assert client.get(f"{path}/files/{opinion.id}").status_code == 404
    assert OPINION not in client.get(path).get_data(as_text=True)


def test_a_released_file_of_another_complaint_is_not_the_link_s(client, login_as, center, complaint):
    other = notified_complaint(center)
    opinion = attachment_named(other, OPINION)
    login_as(center.staff["rights_protection"])
    client.submit(f"/complaints/{other.reference}/released/{opinion.id}", page=f"/cases/{other.reference}")
    assert client.submit(f"/complaints/{complaint.reference}/released/{opinion.id}",
                         page=f"/cases/{complaint.reference}").status_code == 404
    client.submit("/logout", page="/")
    assert client.get(f"{link_path(complaint)}/files/{opinion.id}").status_code == 404
    assert client.get(f"{link_path(other)}/files/{opinion.id}").status_code == 200


def test_the_respondent_answers_through_its_link_and_staff_hear_of_it(client, login_as, center, complaint):
    path = link_path(complaint)
    response = answer(client, path)
    assert response.status_code == 302 and response.location.endswith(path)
    case = db.session.get(Case, complaint.id)
    step = case.events[-1]
    assert case.stage == "mediation" and step.action == "respondent_answers" and step.actor is None
    assert step.comment == STATEMENT and [a.original_name for a in step.attachments] == ["产品目录.pdf"]
    assert step.attachments[0].uploaded_by is None
    assert latest_link(case).used_at is not None
    told = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.event_id == step.id))}
    assert center.staff["rights_protection"].id in told and center.enterprise.id in told
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.transition",
                                                       AuditEntry.object_id == case.reference)
                              .order_by(AuditEntry.id.desc()).limit(1))
    assert entry.actor_id is None and entry.after["action"] == "respondent_answers"
    login_as(center.staff["rights_protection"])
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    answered = re.search(r'data-action="respondent_answers">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "· The respondent" in answered and STATEMENT in answered and "产品目录.pdf" in answered


def test_the_link_takes_one_answer(client, center, complaint):
    path = link_path(complaint)
    assert answer(client, path).status_code == 302
    events = len(db.session.get(Case, complaint.id).events)
    again = client.get(path)
    assert again.status_code == 200 and "Your answer was received" in again.get_data(as_text=True)
    assert 'id="answer-form"' not in again.get_data(as_text=True)
    second = client.submit(path, {"comment": "补充说明"}, content_type="multipart/form-data")
    assert second.status_code == 409 and "Your answer was received" in second.get_data(as_text=True)
    assert len(db.session.get(Case, complaint.id).events) == events


def test_a_retried_answer_leads_where_the_first_did(client, center, complaint):
    path = link_path(complaint)
    form = answer_form(client, path, files=())
    assert client.submit(path, form, content_type="multipart/form-data").status_code == 302
    retried = client.submit(path, form, content_type="multipart/form-data")
    assert retried.status_code == 302 and retried.location.endswith(path)
    assert len([e for e in db.session.get(Case, complaint.id).events if e.action == "respondent_answers"]) == 1


def test_an_expired_link_says_the_deadline_passed_and_whom_to_call(client, center, complaint):
    link = latest_link(complaint)
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(link_path(complaint))
    text = page.get_data(as_text=True)
    assert page.status_code == 410 and "The deadline to answer has passed" in text
    assert complaint.reference in text and "0760-2233 0000" in text and 'id="answer-form"' not in text
    refused = client.submit(link_path(complaint), {"comment": STATEMENT}, content_type="multipart/form-data")
    assert refused.status_code == 410
    assert db.session.get(Case, complaint.id).stage == "respondent_answer"


def test_an_answer_sent_just_after_the_deadline_is_taken_within_the_grace(client, center, complaint):
    complaint.due_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    page = client.get(link_path(complaint)).get_data(as_text=True)
    assert "The deadline has passed: an answer sent now still reaches the center, marked late" in page
    assert answer(client, link_path(complaint)).status_code == 302
    assert db.session.get(Case, complaint.id).stage == "mediation"


def test_a_forged_or_altered_token_finds_nothing(client, app, center, complaint):
    token = link_token(latest_link(complaint))
    foreign = URLSafeSerializer("another-secret", salt="respondent-link").dumps(latest_link(complaint).id)
    for path in ("/respond/nonsense", f"/respond/{token[:-2]}xx", f"/respond/{foreign}",
                 f"/respond/{URLSafeSerializer(app.config['SECRET_KEY'], salt='other').dumps(1)}"):
        assert client.get(path).status_code == 404, path
        assert client.submit(path, {"comment": STATEMENT}, page=link_path(complaint),
                             content_type="multipart/form-data").status_code == 404
    assert db.session.get(Case, complaint.id).stage == "respondent_answer"


def test_once_staff_recorded_an_answer_on_paper_the_link_refuses_clearly(client, center, complaint):
    advance_case(complaint, "record_paper_answer", center.staff["rights_protection"], comment="收到书面答复")
    db.session.commit()
    path = link_path(complaint)
    shown = client.get(path).get_data(as_text=True)
    assert "The center is no longer waiting for an answer here" in shown and 'id="answer-form"' not in shown
    refused = client.submit(path, {"comment": STATEMENT}, content_type="multipart/form-data")
    assert refused.status_code == 409
    assert "Nothing was sent" in refused.get_data(as_text=True)
    case = db.session.get(Case, complaint.id)
    assert case.stage == "mediation" and not [e for e in case.events if e.action == "respondent_answers"]
    assert latest_link(case).used_at is None


def test_an_answer_without_a_statement_or_with_a_refused_file_is_shown_again_with_the_errors(client, center,
                                                                                              complaint):
    path = link_path(complaint)
    empty = answer(client, path, statement="", files=(("产品目录.pdf", PDF),))
    text = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert re.search(r'name="comment"[^>]*rows="6">\s*</textarea>\s*<div class="invalid-feedback d-block">Write your '
                     r'statement', text)
    assert "The file you chose (产品目录.pdf) was not saved: choose it again" in text
    refused = answer(client, path, files=(("说明.txt", b"plain text"),))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and STATEMENT in text
    assert re.search(r'name="files" type="file">\s*<div class="invalid-feedback d-block">说明.txt is not a PDF', text)
    assert answer(client, path, files=(("空白.pdf", b""),)).status_code == 400
    case = db.session.get(Case, complaint.id)
    assert case.stage == "respondent_answer" and latest_link(case).used_at is None
    assert not [e for e in case.events if e.kind == EventKind.TRANSITION and e.action == "respondent_answers"]


def test_answers_through_a_link_are_throttled(client, app, center, complaint):
    app.config["RESPONDENT_LINK_LIMIT"] = "2 per hour"
    path = link_path(complaint)
    for _ in range(2):
        assert answer(client, path, statement="").status_code == 400
    throttled = answer(client, path, statement="")
    assert throttled.status_code == 429 and "Too many attempts" in throttled.get_data(as_text=True)
    assert db.session.scalar(select(RespondentLink).where(RespondentLink.case_id == complaint.id)).used_at is None


def test_a_new_notice_replaces_the_link_still_unused(client, center, complaint):
    from ipcenter.complaints.operations import make_link

    first = link_path(complaint)
    make_link(complaint, center.staff["rights_protection"])
    db.session.commit()
    assert client.get(first).status_code == 410 and client.get(link_path(complaint)).status_code == 200


def test_a_file_too_large_is_refused_before_anything_is_read(client, app, center, complaint):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    path = link_path(complaint)
    form = answer_form(client, path, files=(("大文件.pdf", PDF + b"0" * 2048),))
    response = client.submit(path, form, content_type="multipart/form-data")
    assert response.status_code == 413 and "files up to" in response.get_data(as_text=True)
    assert db.session.get(Case, complaint.id).stage == "respondent_answer"


def test_the_complaint_notice_addressed_to_the_respondent_is_on_its_page_unasked(client, center, complaint):
    """The center's numbered notice to the respondent needs no release; the assessment opinion (the complainant's)
    stays the center's to release."""
    notice = next(a for a in complaint.events[-1].attachments if a.original_name.startswith("侵权投诉通知书"))
    opinion = next(a for event in complaint.events for a in event.attachments if a.original_name.startswith("侵权判定"))
    path = link_path(complaint)
    page = client.get(path).get_data(as_text=True)
    assert notice.original_name in page and opinion.original_name not in page
    assert client.get(f"{path}/files/{notice.id}").status_code == 200
    assert client.get(f"{path}/files/{opinion.id}").status_code == 404
