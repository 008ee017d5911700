"""The complaint's notices: the assessment opinion, the notice to the respondent, the mediation agreement with its
terms and the referral letter listing the evidence, issued by the infringement complaint's own steps."""
import io
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ipcenter.calendar import CENTER_ZONE
from ipcenter.cases.attachments import stored_path
from ipcenter.cases.operations import _enter_stage, advance_case, center_today, submit_case
from ipcenter.extensions import db
from ipcenter.notices.kinds import COMPLAINT
from ipcenter.notices.models import Notice
from tests.cases.conftest import DETAILS, center  # noqa: F401
from tests.notices.conftest import docx_text


@pytest.fixture
def complaint(app, center):
    """A complaint with its evidence, against 中山市古镇鑫辉灯饰厂, at its assessment."""
    evidence = [FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename=name) for name in ("购买发票.pdf", "公证书.pdf")]
    case = submit_case(center.enterprise.organisation, center.enterprise, COMPLAINT,
                       {**DETAILS[COMPLAINT], "respondent_name": "中山市古镇鑫辉灯饰厂"}, evidence)
    _enter_stage(case, "assessment", center_today())
    return SimpleNamespace(case=case, staff=center.staff["rights_protection"])


def issued(case, kind: str) -> str:
    db.session.commit()
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id, Notice.kind == kind))
    chinese = next(file for file in notice.files if file.language == "zh")
    return docx_text(stored_path(chinese.attachment).read_bytes())


def test_a_referral_letter_goes_to_the_bureau_with_the_evidence_listed(complaint, notice_day):
    advance_case(complaint.case, "refer_to_bureau", complaint.staff, comment="调解未果")
    text = issued(complaint.case, "referral_letter")
    assert "案件移送函" in text and "古知移〔2026〕0001号" in text and "中山市市场监督管理局：" in text
    assert "投诉中山市古镇鑫辉灯饰厂涉嫌侵犯其专利权（专利号：ZL202130123456.8" in text
    assert "1. 购买发票.pdf\n2. 公证书.pdf" in text


def test_an_assessment_opinion_and_a_mediation_agreement_with_its_terms(complaint, notice_day):
    advance_case(complaint.case, "find_infringing", complaint.staff, comment="整体视觉效果无实质性差异。")
    advance_case(complaint.case, "notify_respondent", complaint.staff)
    advance_case(complaint.case, "record_paper_answer", complaint.staff, comment="同意协商。")
    advance_case(complaint.case, "record_agreement", complaint.staff,
                 comment="被投诉人立即停止销售。\n被投诉人赔偿人民币五万元。")
    opinion, agreement = issued(complaint.case, "assessment_opinion"), issued(complaint.case, "mediation_agreement")
    assert "古知维评〔2026〕0001号" in opinion and "判定结论：构成侵权" in opinion
    assert "理由：整体视觉效果无实质性差异。" in opinion
    assert "古知调〔2026〕0001号" in agreement and "被投诉人：中山市古镇鑫辉灯饰厂" in agreement
    assert "1. 被投诉人立即停止销售。\n2. 被投诉人赔偿人民币五万元。" in agreement


def test_the_respondent_is_notified_with_a_numbered_complaint_notice(complaint, notice_day):
    advance_case(complaint.case, "find_infringing", complaint.staff, comment="整体视觉效果无实质性差异。")
    advance_case(complaint.case, "notify_respondent", complaint.staff)
    text = issued(complaint.case, "complaint_notice")
    assert "古知维通〔2026〕0001号" in text and "中山市古镇鑫辉灯饰厂" in text and "ZL202130123456.8" in text
    due = complaint.case.due_at.astimezone(CENTER_ZONE)  # a fair: 24 hours on the clock, said to the minute
    assert f"于{due.year}年{due.month}月{due.day}日{due.hour}时{due.minute:02d}分前" in text
