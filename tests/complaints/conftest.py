"""A complaint whose respondent the center has notified, with what the respondent must never read: the
complainant's evidence, an internal note, the center's other steps."""
import io
import re
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import FileStorage

from ipcenter.cases.operations import add_note, advance_case, submit_case
from ipcenter.complaints.operations import latest_link, link_token
from ipcenter.extensions import db
from tests.cases.conftest import DETAILS, center  # noqa: F401  (the fixture)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVIDENCE = "公证购买发票.pdf"
OPINION = "侵权判定意见书.pdf"
NOTE = "内部意见：赔偿金额可以谈到五万元"
ACCEPTED = "证据齐全，予以受理"
ASSESSED = "整体视觉效果无实质性差异"
NOTIFIED = "已电话联系被投诉方负责人"


def pdf(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(PDF), filename=name, content_type="application/pdf")


def notified_complaint(center, respondent=None, **overrides):
    """A complaint by the center's enterprise, accepted, assessed and its respondent notified by staff, with an
    internal note; `respondent` (a user) is a registered enterprise the complaint names by its credit code."""
    staff = center.staff["rights_protection"]
    details = {**DETAILS["infringement_complaint"], "respondent_email": "xinhui@example.cn",
               "remedies": "stop,damages", "damages_amount": 50000, **overrides}
    if respondent is not None:
        details["respondent_credit_code"] = respondent.organisation.credit_code
    case = submit_case(center.enterprise.organisation, center.enterprise, "infringement_complaint", details,
                       [pdf(EVIDENCE)])
    advance_case(case, "accept", staff, comment=ACCEPTED)
    advance_case(case, "find_infringing", staff, comment=ASSESSED, files=[pdf(OPINION)])
    add_note(case, staff, NOTE)
    advance_case(case, "notify_respondent", staff, comment=NOTIFIED)
    db.session.commit()
    return case


def link_path(case) -> str:
    return f"/respond/{link_token(latest_link(case))}"


def attachment_named(case, name: str):
    return next(a for event in case.events for a in event.attachments if a.original_name == name)


def answer_form(client, path: str, statement: str = "我司产品系自主设计，早于专利申请日公开。", files=()) -> dict:
    """The answer form as the page gives it (its one-time key), filled in."""
    html = client.get(path).get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html)
    return {"comment": statement, "submission_key": key.group(1) if key else "",
            "files": [(io.BytesIO(content), name) for name, content in files]}


@pytest.fixture
def complaint(center):
    return notified_complaint(center)


@pytest.fixture
def parties(center):
    """The respondent as a registered enterprise (another client of the center), and its complaint."""
    respondent = center.other_enterprise
    return SimpleNamespace(respondent=respondent, case=notified_complaint(center, respondent=respondent))
