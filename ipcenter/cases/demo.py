"""Demonstration cases: every type at every stage, reached through the real workflow."""
import io
from collections import deque

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from ..accounts.models import User
from ..calendar import add_working_days, center_today
from ..extensions import db
from ..organisations.models import DemonstrationUnit, Organisation, OrganisationStatus, UnitKind
from ..reports.demo import prepare_demo_report
from .demo_history import add_history
from .models import Case
from .operations import advance_case, assign_case, delegate_case, report_progress, submit_case
from .satisfaction import rate_case
from .workflow import CASE_TYPES, NOT_ACCEPTED, RESUME, Actor, CaseType, Input

DEMO_PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
REQUESTS: dict[str, dict[str, object]] = {
    "patent_filing": dict(title="一种可调光LED吸顶灯", description="新款超薄吸顶灯，需申请外观设计专利。",
                          patent_kind="design", product_name="LED吸顶灯", classification="26-05"),
    "fast_pre_examination": dict(title="六臂水晶吊灯外观设计", description="新品将于广交会发布，请走快速预审。",
                                 patent_kind="design", product_name="水晶吊灯", classification="26-05"),
    "fast_retrieval": dict(title="庭院灯新颖性检索", description="拟推出的太阳能庭院灯，请检索是否有相同外观。",
                           retrieval_purpose="novelty", target_description="太阳能庭院灯，方形灯罩，仿古铜色"),
    "consultation": dict(title="外观专利被仿冒怎么办", description="发现网店销售仿冒我司吊灯的产品，应如何维权？",
                         topic="infringement"),
    "foreign_assistance": dict(title="法兰克福照明展展品被投诉", description="展会方通知我司展品涉嫌侵权，需要应对。",
                               country="德国", counterparty="某欧洲灯具公司", foreign_event="exhibition"),
    "infringement_complaint": dict(
        title="仿冒我司六臂水晶吊灯", description="灯博会上某展商展出的吊灯与我司外观设计专利几乎相同。",
        patent_number="ZL202130123456.8", patent_kind="design", patent_status="in_force", evaluation_report=True,
        standing="owner", respondent_name="中山市古镇鑫辉灯饰厂", respondent_address="中山市古镇镇东兴路8号",
        respondent_contact="林先生 13800138000", channel="fair", fair_name="古镇灯博会", found_at="3号馆 A-126",
        remedies="stop,destroy"),
}
INPUTS = {Input.COMMENT: "已处理，详见附件。", Input.REASON: "企业提供的材料不完整。",
          Input.APPLICATION_NUMBER: "202630123456.0", Input.PATENT_NUMBER: "ZL202630123456.0"}


DELEGATIONS = [
    ("foreign_assistance", "in_progress", UnitKind.LAW_FIRM, "请联系展会主办方并准备答辩材料。", 40,
     "已与展会主办方取得联系，正在准备不侵权说明。"),
    ("patent_filing", "drafting", UnitKind.PATENT_AGENCY, "请撰写外观设计专利申请文件。", 60,
     "六面视图已完成，正在撰写简要说明。"),
]


def _demo_file(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(DEMO_PDF), filename=name, content_type="application/pdf")


def _path(case_type: CaseType, target: str) -> list[str]:
    """The actions that take a new case to `target`, shortest first."""
    start = case_type.initial_stage
    routes, queue = {start: []}, deque([start])
    while queue:
        stage = queue.popleft()
        for transition in case_type.transitions_from(stage):
            if transition.target != RESUME and transition.target not in routes:
                routes[transition.target] = routes[stage] + [transition.action]
                queue.append(transition.target)
    return routes[target]


def _actor_for(case: Case, transition, staff_by_post: dict, units: dict) -> User:
    if Actor.POST in transition.actors:
        return staff_by_post[case.post.code]
    if Actor.ENTERPRISE in transition.actors:
        return case.submitter
    unit = units[UnitKind.PATENT_AGENCY]
    if case.delegated_unit is None:
        delegate_case(case, unit, staff_by_post[case.post.code], "请代为办理。")
    return case.delegated_unit.reporters[0]


def _walk(case: Case, target: str, staff_by_post: dict, units: dict) -> None:
    for action in _path(case.workflow, target):
        transition = case.workflow.transition(action)
        inputs = {i.value: INPUTS[i] for i in transition.inputs if i in INPUTS}
        files = [_demo_file("附件.pdf")] if Input.ATTACHMENT in transition.required else []
        actor = _actor_for(case, transition, staff_by_post, units)
        if Input.SEARCH_REPORT in transition.required:
            prepare_demo_report(case, actor)
        advance_case(case, action, actor, files=files, **inputs)


def seed_demo_cases(staff_by_post: dict[str, User]) -> int:
    """Add the demo cases once (if the demo enterprises have none); returns how many were added."""
    enterprises = list(db.session.scalars(select(Organisation).where(Organisation.status == OrganisationStatus.RECORDED)
                                          .order_by(Organisation.id)))
    if not enterprises or db.session.scalar(select(func.count(Case.id))):
        return 0
    units = {unit.kind: unit for unit in db.session.scalars(select(DemonstrationUnit))}
    added = add_history(enterprises, staff_by_post, list(units.values()), REQUESTS)
    for type_index, (code, case_type) in enumerate(CASE_TYPES.items()):
        for stage_index, stage in enumerate(case_type.stages):
            organisation = enterprises[(type_index + stage_index) % len(enterprises)]
            # The title is the request's own: the stage is on the badge and the stepper, not repeated in the heading.
            case = submit_case(organisation, organisation.users[0], code, dict(REQUESTS[code]))
            _walk(case, stage.code, staff_by_post, units)
            if stage.code == NOT_ACCEPTED:  # the closed ones wait for the demo enterprise to answer
                rate_case(case, case.submitter, 2, "受理前希望能先电话沟通材料要求。")
            added += 1
            if case.is_open and case.post and stage_index % 2 == 0:
                assign_case(case, staff_by_post[case.post.code], staff_by_post[case.post.code])
    _add_living_details(staff_by_post, units)
    db.session.flush()
    return added


def _add_living_details(staff_by_post: dict, units: dict) -> None:
    """Some cases overdue, some delegated with progress reports."""
    today = center_today()
    open_cases = db.session.scalars(select(Case).where(Case.closed_at.is_(None), Case.due_date.is_not(None))
                                    .order_by(Case.id)).all()
    for case in open_cases[::4]:  # a demo shortcut: these fell behind (counted so, should the calendar change)
        case.due_counted_from, case.due_working_days = today, -2
        case.due_date = add_working_days(today, -2)
    for case_type, stage, kind, task, percent, report in DELEGATIONS:
        unit = units[kind]
        for case in db.session.scalars(select(Case).where(Case.case_type == case_type, Case.stage == stage)):
            delegate_case(case, unit, staff_by_post[case.post.code], task)
            report_progress(case, unit.reporters[0], percent, report, [_demo_file("进展材料.pdf")])
