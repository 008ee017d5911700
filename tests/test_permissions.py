"""Who may open which page, and who may do what: every role against every page and every action, denials
written out."""
import io
import logging
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ipcenter.cases.attachments import store_attachment
from ipcenter.cases.operations import add_note, advance_case, delegate_case, report_progress
from ipcenter.complaints.operations import release_to_respondent
from ipcenter.extensions import db
from ipcenter.notices.models import Notice
from ipcenter.patents.models import Patent
from ipcenter.permissions import RULES, can
from ipcenter.reports.operations import save_conclusion
from ipcenter.saved_views.operations import save_view
from tests.cases.conftest import build_center, make_case
from tests.conftest import make_post
from tests.snapshots import built_once

ROLES = ["anonymous", "enterprise", "staff", "manager", "reporter"]

# page -> the roles that may open it; everyone else is refused.
ADMIN_PAGES = [
    "/admin/users/", "/admin/users/new", "/admin/users/{staff_id}",
    "/admin/organisations/", "/admin/organisations/{organisation_id}",
    "/admin/units/", "/admin/units/new", "/admin/units/{unit_id}",
    "/admin/posts/", "/admin/posts/new", "/admin/posts/{post_id}",
    "/admin/audit/", "/admin/audit/export.csv",
    "/admin/notices/", "/admin/notices/acceptance", "/admin/notices/acceptance/zh.docx",
]
ADMIN_ACTIONS = [
    "/admin/users/{staff_id}/active",
    "/admin/organisations/{organisation_id}/review/approve",
    "/admin/units/{unit_id}/reporters",
    "/admin/notices/acceptance/zh/default",
]
SIGNED_IN_PAGES = {"/account": {"enterprise", "staff", "manager", "reporter"},
                   "/account/password": {"enterprise", "staff", "manager", "reporter"},
                   "/organisation": {"enterprise"}}
PUBLIC_PAGES = ["/", "/login", "/register", "/password/forgot"]


@pytest.fixture
def ids(users):
    post = make_post()
    return {"staff_id": users["staff"].id, "organisation_id": users["enterprise"].organisation_id,
            "unit_id": users["reporter"].unit_id, "post_id": post.id}


def open_as(client, login_as, users, role):
    if role != "anonymous":
        login_as(users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_are_for_managers_only(client, login_as, users, ids, role, page):
    response = open_as(client, login_as, users, role).get(page.format(**ids))
    expected = {"anonymous": 302, "manager": 200}.get(role, 403)
    assert response.status_code == expected
    if role == "anonymous":
        assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", ["enterprise", "staff", "reporter"])
@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_admin_actions_are_refused_to_everyone_but_managers(client, login_as, users, ids, role, action):
    login_as(users[role])
    response = client.submit(action.format(**ids), {"reason": "x", "invite-email": "n@x.cn",
                                                    "invite-display_name": "N"})
    assert response.status_code == 403


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_admin_actions_send_anonymous_visitors_to_login(client, ids, action):
    response = client.submit(action.format(**ids), {"reason": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(SIGNED_IN_PAGES))
def test_signed_in_pages(client, login_as, users, role, page):
    response = open_as(client, login_as, users, role).get(page)
    if role == "anonymous":
        assert response.status_code == 302
    elif role in SIGNED_IN_PAGES[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == 404  # a center account has no enterprise page to find


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_open_for_everyone(client, login_as, users, role, page):
    """Everyone sees them, except that a signed-in user asking to log in or register is sent home."""
    response = open_as(client, login_as, users, role).get(page)
    if role != "anonymous" and page in ("/login", "/register"):
        assert response.status_code == 302 and response.headers["Location"] == "/"
    else:
        assert response.status_code == 200


def test_enterprise_pages_show_only_their_own_organisation(client, login_as, users):
    login_as(users["enterprise"])
    page = client.get("/organisation").get_data(as_text=True)
    assert users["enterprise"].organisation.name_zh in page
    assert users["other_enterprise"].organisation.name_zh not in page
    assert client.get(f"/admin/organisations/{users['other_enterprise'].organisation_id}").status_code == 403


def test_denials_are_logged(client, login_as, users, ids, caplog):
    login_as(users["staff"])
    with caplog.at_level(logging.WARNING):
        client.get("/admin/users/")
    assert any("permission denied" in record.getMessage() and "admin.users" in record.getMessage()
               for record in caplog.records)


def test_denial_answers_json_to_json_clients(client, login_as, users):
    login_as(users["staff"])
    response = client.get("/admin/users/", headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.get_json()["error"] == 403


def test_navigation_shows_administration_only_to_managers(client, login_as, users):
    login_as(users["staff"])
    assert "/admin/users/" not in client.get("/").get_data(as_text=True)
    client.submit("/logout", page="/")
    login_as(users["manager"])
    assert "/admin/users/" in client.get("/").get_data(as_text=True)


# The policy itself: every action of the permission layer against every kind of user, as GitLab's policy specs
# write it. Each row names who may; everyone else is refused.
CENTER = {"staff", "other_staff", "manager"}
SIGNED_IN = CENTER | {"enterprise", "other_enterprise", "reporter", "other_reporter"}  # not "anonymous"
MANAGER_ONLY = ["queue.every_post", "admin.users", "admin.organisations", "admin.units", "admin.posts",
                "audit.browse", "organisation.review", "calendar.edit", "dashboard.every_post", "notices.templates",
                "notice.regenerate"]
POLICY = {
    ("center.workspace", None): CENTER,
    ("calendar.view", None): CENTER,
    ("dashboard.view", None): CENTER,
    **{(action, None): {"manager"} for action in MANAGER_ONLY},
    ("user.edit", "center_account"): {"manager"},
    ("user.edit", "enterprise_account"): set(),
    ("organisation.edit", "organisation"): {"enterprise"},
    ("organisation.invite", "organisation"): {"enterprise"},
    ("case.submit", None): {"enterprise", "other_enterprise"},
    ("case.view", "case"): CENTER | {"enterprise", "reporter"},
    ("case.requester", "case"): {"enterprise"},
    # A complaint's respondent is a registered enterprise: it answers, and never reads the complainant's case.
    ("case.respondent", "complaint"): {"other_enterprise"},
    ("case.respondent", "case"): set(),
    ("case.respondent", "untold_complaint"): set(),  # not before the center has notified the respondent
    ("case.view", "complaint"): {"enterprise", "staff", "other_staff", "manager"},
    # The page addressed to the respondent: the respondent, and the center to see what it is shown.
    ("complaint.respondent_page", "complaint"): CENTER | {"other_enterprise"},
    ("complaint.respondent_page", "untold_complaint"): CENTER,
    ("complaint.respondent_page", "case"): set(),
    # The respondent's link and the files released to it: the post working the complaint (here: the managers).
    ("complaint.respondent_side", "complaint"): {"manager"},
    ("complaint.respondent_side", "case"): set(),
    ("complaint.conflicts", "complaint"): CENTER,
    ("complaint.conflicts", "case"): set(),
    ("complaint.start_search", "complaint"): {"manager"},
    ("complaint.start_search", "case"): set(),
    ("attachment.released", "released_file"): CENTER | {"other_enterprise"},
    ("attachment.released", "unreleased_file"): CENTER,
    ("attachment.released", "public_attachment"): CENTER,
    ("patent.complaints", None): CENTER,
    ("case.work", "case"): {"staff", "manager"},
    ("case.internal", "case"): CENTER,
    ("case.note", "case"): CENTER,
    ("case.report_progress", "case"): {"reporter"},
    ("case.rate", "case"): set(),  # open
    ("case.rate", "closed_case"): {"enterprise"},
    ("case.rate", "not_accepted_case"): {"enterprise"},
    ("case.rate", "withdrawn_case"): set(),  # the enterprise called it off itself
    ("case.satisfaction", "closed_case"): CENTER | {"enterprise"},
    # A closed complaint: the complainant rates the center; the respondent (a registered enterprise) never.
    ("case.rate", "closed_complaint"): {"enterprise"},
    ("case.satisfaction", "closed_complaint"): CENTER | {"enterprise"},
    ("event.view", "public_event"): CENTER | {"enterprise", "reporter"},
    ("event.view", "internal_note"): CENTER,
    ("event.view", "progress_report"): CENTER | {"reporter"},
    ("attachment.download", "public_attachment"): CENTER | {"enterprise", "reporter"},
    ("attachment.download", "delivered_report"): CENTER | {"enterprise"},  # that case is not the unit's
    ("attachment.download", "internal_attachment"): CENTER,
    ("notice.view", "acceptance_notice"): CENTER | {"enterprise"},  # the unit is not delegated that case
    ("unit.cases", None): {"reporter", "other_reporter"},
    ("report.read", "case"): CENTER,
    ("report.read", "delivered_case"): CENTER | {"enterprise"},
    ("report.edit", "case"): {"staff", "manager"},
    ("report.edit", "delivered_case"): set(),
    ("report.patent_links", "delivered_case"): CENTER,
    ("patent.view", "published_patent"): SIGNED_IN,
    ("patent.view", "unpublished_patent"): CENTER | {"enterprise"},
    ("patent.every_record", None): CENTER,
    ("patent.scores", None): CENTER,
    ("organisation.history", "organisation"): {"enterprise", "manager"},
    # A private view is its owner's (the staff member); one shared with the owner's post (by a colleague of the
    # staff member), that post's staff and the managers; managers delete shared views, only owners rename.
    ("saved_view.use", "private_view"): {"staff"},
    ("saved_view.use", "shared_view"): {"staff", "manager"},
    ("saved_view.rename", "private_view"): {"staff"},
    ("saved_view.rename", "shared_view"): set(),
    ("saved_view.delete", "private_view"): {"staff"},
    ("saved_view.delete", "shared_view"): {"manager"},
    ("saved_view.share_with", "post"): {"staff"},
}


def pdf(name: str) -> FileStorage:
    return FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename=name)


def build_policy_world() -> SimpleNamespace:
    """A retrieval case being searched by its post (delegated to a unit, with the enterprise's drawing, a note
    with a file and a progress report) and another whose report has been delivered."""
    center = build_center()
    staff = center.staff["retrieval"]
    case = make_case(center, "fast_retrieval", stage="searching")
    delegate_case(case, center.unit, staff, "请协助检索")
    drawing = store_attachment(case, case.events[0], center.enterprise, pdf("图纸.pdf"))
    note = add_note(case, staff, "内部意见", [pdf("内部.pdf")])
    progress = report_progress(case, center.reporter, 40, "已检索一半")
    delivered = make_case(center, "fast_retrieval", stage="searching")
    save_conclusion(delivered, "未发现影响新颖性的文件。", staff)
    delivery = advance_case(delivered, "deliver_report", staff, comment="报告已完成")
    complaint = make_case(center, "infringement_complaint", stage="respondent_answer",
                          respondent_credit_code=center.other_enterprise.organisation.credit_code)
    closed_complaint = make_case(center, "infringement_complaint", stage="closed",
                                 respondent_credit_code=center.other_enterprise.organisation.credit_code)
    untold = make_case(center, "infringement_complaint", stage="assessment",
                       respondent_credit_code=center.other_enterprise.organisation.credit_code)
    released = store_attachment(complaint, complaint.events[0], center.enterprise, pdf("判定意见.pdf"))
    unreleased = store_attachment(complaint, complaint.events[0], center.enterprise, pdf("购买发票.pdf"))
    db.session.flush()
    release_to_respondent(complaint, released, center.manager)
    post = center.posts["retrieval"]
    private_view = save_view(staff, "我的待办", "state=open", None, make_default=False)
    shared_view = save_view(center.colleague["retrieval"], "本岗待办", "state=open", post.id, make_default=False)
    endings = {f"{stage}_case": make_case(center, "consultation", stage=stage)
               for stage in ("closed", "not_accepted", "withdrawn")}
    accepted = make_case(center, "fast_retrieval")
    advance_case(accepted, "accept", center.staff["intake"])
    db.session.commit()
    viewers = {"anonymous": AnonymousUserMixin(), "enterprise": center.enterprise,
               "other_enterprise": center.other_enterprise, "staff": staff, "other_staff": center.outsider_staff,
               "manager": center.manager, "reporter": center.reporter, "other_reporter": center.other_reporter}
    targets = {None: None, "center_account": center.staff["consultation"], "enterprise_account": center.enterprise,
               "organisation": center.enterprise.organisation, "case": case, "delivered_case": delivered,
               "complaint": complaint, "closed_complaint": closed_complaint, "untold_complaint": untold,
               "released_file": released, "unreleased_file": unreleased,
               "public_event": case.events[0], "internal_note": note, "progress_report": progress,
               "public_attachment": drawing, "delivered_report": delivery.attachments[0],
               "internal_attachment": note.attachments[0], "post": post, "private_view": private_view,
               "shared_view": shared_view, **endings,
               "acceptance_notice": db.session.scalar(select(Notice).where(Notice.case_id == accepted.id))}
    return SimpleNamespace(viewers=viewers, targets=targets)


@pytest.fixture
def world(app):
    world = built_once("policy matrix", app, build_policy_world)
    organisation_id = world.viewers["enterprise"].organisation_id
    world.targets["published_patent"] = Patent(publication_number="CN301000001", publication_date=date(2024, 5, 7))
    world.targets["unpublished_patent"] = Patent(publication_number="CN301000002", organisation_id=organisation_id)
    return world


@pytest.mark.parametrize("action, target", list(POLICY))
def test_policy_matrix(world, action, target):
    allowed = {viewer for viewer, user in world.viewers.items() if can(user, action, world.targets[target])}
    assert allowed == POLICY[action, target]


def test_every_action_of_the_permission_layer_is_in_the_matrix():
    assert {action for action, _ in POLICY} == set(RULES)


# A role named in a template (`role.name == 'ENTERPRISE'`, `is_center`, `Role.STAFF`) is a rule outside the layer.
ROLE_TEST = re.compile(r"role\.name|role\s*[=!]=|\bRole\.|\bis_(center|manager|staff)\b")


def test_templates_ask_can_and_never_test_a_role():
    templates = Path(__file__).parent.parent / "templates"
    found = [f"{path.relative_to(templates)}:{number}: {line.strip()}" for path in sorted(templates.rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ROLE_TEST.search(line)]
    assert found == []
