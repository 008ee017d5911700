"""A center with every post, staff on each, enterprises, units; and cases at any stage."""
from types import SimpleNamespace

import pytest

from ipcenter.accounts.models import Role
from ipcenter.cases import operations
from ipcenter.cases.operations import _enter_stage, submit_case
from ipcenter.cases.workflow import AWAITING_MATERIALS, OWNING_POSTS
from ipcenter.extensions import db
from tests.conftest import make_post, make_unit, make_user
from tests.snapshots import built_once

DETAILS = {
    "patent_filing": dict(title="一种LED吸顶灯", description="新款吸顶灯外观设计", patent_kind="design",
                          product_name="吸顶灯", classification="26-05"),
    "fast_pre_examination": dict(title="水晶吊灯外观", description="水晶吊灯外观设计快速预审",
                                 patent_kind="design", product_name="水晶吊灯", classification="26-05"),
    "fast_retrieval": dict(title="吊灯新颖性检索", description="请检索类似吊灯外观",
                           retrieval_purpose="novelty", target_description="六臂水晶吊灯，金色灯臂"),
    "consultation": dict(title="外观专利保护期限", description="外观设计专利保护多少年？", topic="patent_rights"),
    "foreign_assistance": dict(title="法兰克福灯光展维权", description="展会上发现仿冒产品", country="德国",
                               counterparty="某展商", foreign_event="exhibition", external_deadline=None),
    "infringement_complaint": dict(title="仿冒六臂吊灯", description="展会上发现仿冒我司外观设计的吊灯",
                                   patent_number="ZL202130123456.8", patent_kind="design", patent_status="in_force",
                                   evaluation_report=True, standing="owner", respondent_name="某灯饰厂",
                                   channel="fair", fair_name="古镇灯博会", found_at="A-126", remedies="stop"),
}


@pytest.fixture
def center(app):
    return built_once("center", app, build_center)


def build_center():
    posts = {code: make_post(code=code, name_zh=f"{code}岗", name_en=f"{code} post") for code in OWNING_POSTS}
    unit = make_unit()
    people = SimpleNamespace(
        posts=posts,
        staff={code: make_user(Role.STAFF, posts=[post]) for code, post in posts.items()},
        colleague={code: make_user(Role.STAFF, posts=[post]) for code, post in posts.items()},
        outsider_staff=make_user(Role.STAFF, posts=[make_post()]),
        manager=make_user(Role.MANAGER),
        enterprise=make_user(Role.ENTERPRISE),
        other_enterprise=make_user(Role.ENTERPRISE),
        unit=unit,
        reporter=make_user(Role.UNIT_REPORTER, unit=unit),
        other_reporter=make_user(Role.UNIT_REPORTER),
    )
    return people


def make_case(center, case_type: str = "consultation", stage: str | None = None, **overrides):
    """A case submitted by the center's enterprise, then moved straight to `stage`."""
    details = {**DETAILS[case_type], **overrides}
    case = submit_case(center.enterprise.organisation, center.enterprise, case_type, details)
    if stage == AWAITING_MATERIALS:
        _enter_stage(case, AWAITING_MATERIALS, operations.center_today())
    elif stage is not None:
        _enter_stage(case, stage, operations.center_today())
    db.session.commit()
    return case

