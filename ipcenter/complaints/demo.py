"""Demonstration complaints, on top of the cases' demo (which walks a complaint to every stage): the respondent's
side in every channel, through the real workflow and the respondent's own link."""
import io
from datetime import timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..accounts.models import User
from ..calendar import CENTER_ZONE
from ..cases.demo import DEMO_PDF
from ..cases.models import Case
from ..cases.operations import advance_case, assign_case, submit_case
from ..database import utcnow
from ..extensions import db
from ..organisations.models import Organisation
from ..patents.models import Patent
from .models import RespondentLink
from .operations import LINK_GRACE, answer_by_link, latest_link, release_to_respondent, start_validity_search

COMPLAINT = dict(patent_kind="design", patent_status="in_force", evaluation_report=True, standing="owner",
                 remedies="stop,destroy")
FAIR_HOURS_LEFT = timedelta(hours=5, minutes=20)  # a fair's respondent notified some 19 hours ago
STATEMENTS = {
    "online": "我司该款吊灯系2019年自主设计，早于涉案专利申请日公开销售，附当年产品目录及销售合同，请求认定不侵权。",
    "ordinary": "我司愿意停止销售涉案台灯并下架库存，请中心组织调解。",
}


def _file(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(DEMO_PDF), filename=name, content_type="application/pdf")


def seed_demo_complaints(staff_by_post: dict[str, User]) -> int:
    """The complaints added after the cases' demo: how many."""
    enterprises = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
    complainant, registered = enterprises[0], enterprises[1]
    staff = staff_by_post["rights_protection"]
    patent = db.session.scalar(select(Patent).where(Patent.is_demo.is_(True), Patent.patent_type == "design")
                               .order_by(Patent.id).limit(1))
    number = "ZL" + patent.application_number.removeprefix("CN") if patent and patent.application_number \
        else "ZL202130123456.8"
    fair = _fair_complaint_against_a_client(complainant, registered, staff, number)
    answered = _answered_by_link(complainant, staff, number)
    settled = _settled_by_agreement(registered, staff)
    referred = _referred(complainant, staff, number)
    start_validity_search(fair, staff)
    db.session.flush()
    return len([fair, answered, settled, referred])


def _complaint(organisation: Organisation, staff: User, **details) -> Case:
    """A complaint, accepted, assessed as infringing (the opinion attached) and its respondent notified."""
    case = submit_case(organisation, organisation.users[0], "infringement_complaint", {**COMPLAINT, **details},
                       [_file("侵权产品照片.pdf"), _file("公证购买发票.pdf")])
    advance_case(case, "accept", staff, comment="证据齐全，予以受理。")
    advance_case(case, "find_infringing", staff, comment="被诉产品与涉案外观设计整体视觉效果无实质性差异。",
                 files=[_file("侵权判定意见书.pdf")])
    advance_case(case, "notify_respondent", staff, comment="已通知被投诉方。")
    return case


def _link(case: Case) -> RespondentLink:
    link = latest_link(case)
    assert link is not None, "notifying the respondent makes its link"
    return link


def _fair_complaint_against_a_client(complainant, registered, staff, number: str) -> Case:
    """At the lighting fair, against another client of the center (registered: it answers from its home page),
    with about five hours left; the assessment opinion released to it."""
    case = _complaint(complainant, staff, title="展位上的仿冒六臂水晶吊灯", patent_number=number, channel="fair",
                      description="灯博会5号馆B-208展位展出的吊灯与我司外观设计专利几乎相同。",
                      respondent_name=registered.name_zh, respondent_credit_code=registered.credit_code,
                      respondent_email=registered.email, fair_name="古镇灯博会", found_at="5号馆 B-208")
    case.due_at = utcnow() + FAIR_HOURS_LEFT  # a demo shortcut: the 24 hours started 19 hours ago
    case.due_date = case.due_at.astimezone(CENTER_ZONE).date()
    _link(case).expires_at = case.due_at + LINK_GRACE
    opinion = next(a for event in case.events for a in event.attachments if a.original_name == "侵权判定意见书.pdf")
    release_to_respondent(case, opinion, staff)
    assign_case(case, staff, staff)
    return case


def _answered_by_link(complainant, staff, number: str) -> Case:
    """Online: the respondent (no account) answered through its emailed link, with a file."""
    case = _complaint(complainant, staff, title="网店销售的仿冒吸顶灯", patent_number=number, channel="online",
                      description="某电商平台店铺销售与我司专利外观相同的吸顶灯。",
                      respondent_name="中山市横栏镇东辉灯饰厂", respondent_email="donghui@example.cn", platform="淘宝", item_url="https://item.example.cn/806")
    answer_by_link(_link(case), STATEMENTS["online"], [_file("2019年产品目录.pdf")])
    return case


def _settled_by_agreement(complainant, staff) -> Case:
    """In a showroom: answered by link, mediated, and settled by an agreement."""
    case = _complaint(complainant, staff, title="门店展示的仿冒台灯", patent_number="ZL202130654321.4",
                      channel="ordinary", description="古镇灯饰广场某门店展示销售仿冒我司台灯。",
                      respondent_name="中山市古镇雅居灯饰有限公司", found_at="古镇灯饰广场二楼 218号")
    answer_by_link(_link(case), STATEMENTS["ordinary"])
    advance_case(case, "record_session", staff, comment="双方到场，被投诉方同意停止销售，赔偿金额待定。")
    advance_case(case, "record_agreement", staff, comment="被投诉方停止销售、销毁库存，并于30日内赔偿2万元。",
                 files=[_file("调解协议书.pdf")])
    return case


def _referred(complainant, staff, number: str) -> Case:
    """Answered on paper, no agreement: referred to the market-regulation bureau."""
    case = _complaint(complainant, staff, title="批发市场的仿冒壁灯", patent_number=number, channel="ordinary",
                      description="灯饰批发市场多家档口销售仿冒壁灯，来源为同一工厂。",
                      respondent_name="中山市古镇鸿达灯饰有限公司", found_at="古镇灯饰批发市场 C区12号")
    advance_case(case, "record_paper_answer", staff, comment="收到被投诉方书面答复：否认侵权，拒绝调解。",
                 files=[_file("书面答复.pdf")])
    advance_case(case, "refer_to_bureau", staff, comment="双方无法达成一致，移交市场监督管理局处理。",
                 files=[_file("移交函.pdf")])
    return case
