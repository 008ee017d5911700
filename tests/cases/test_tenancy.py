"""Who reaches which case route: every route against every kind of user, denials written out."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from ipcenter.cases.attachments import store_attachment
from ipcenter.cases.models import CaseEvent, EventKind
from ipcenter.cases.operations import advance_case
from ipcenter.extensions import db
from tests.cases.conftest import make_case

PDF = b"%PDF-1.4\n%%EOF\n"
VIEWERS = ["enterprise", "other_enterprise", "unit", "other_unit", "owning_staff", "other_staff", "manager",
           "anonymous"]
# route -> expected status for each viewer (302 for anonymous: sent to log in).
ROUTES = {
    "show": ("GET", "/cases/{ref}", dict(enterprise=200, other_enterprise=404, unit=200, other_unit=404,
                                        owning_staff=200, other_staff=200, manager=200)),
    "download_public": ("GET", "/cases/{ref}/attachments/{public_id}",
                        dict(enterprise=200, other_enterprise=404, unit=200, other_unit=404, owning_staff=200,
                             other_staff=200, manager=200)),
    "download_internal": ("GET", "/cases/{ref}/attachments/{internal_id}",
                          dict(enterprise=404, other_enterprise=404, unit=404, other_unit=404, owning_staff=200,
                               other_staff=200, manager=200)),
    "assign": ("POST", "/cases/{ref}/assign", dict(enterprise=403, other_enterprise=404, unit=403,
                                                  other_unit=404, owning_staff=302, other_staff=403, manager=302)),
    "delegate": ("POST", "/cases/{ref}/delegate", dict(enterprise=403, other_enterprise=404, unit=403,
                                                      other_unit=404, owning_staff=302, other_staff=403,
                                                      manager=302)),
    "note": ("POST", "/cases/{ref}/notes", dict(enterprise=403, other_enterprise=404, unit=403, other_unit=404,
                                               owning_staff=302, other_staff=302, manager=302)),
    "progress": ("POST", "/cases/{ref}/progress", dict(enterprise=403, other_enterprise=404, unit=302,
                                                      other_unit=404, owning_staff=403, other_staff=403,
                                                      manager=403)),
    "answer": ("POST", "/cases/{ref}/actions/answer", dict(enterprise=403, other_enterprise=404, unit=403,
                                                          other_unit=404, owning_staff=302, other_staff=403,
                                                          manager=302)),
    "withdraw": ("POST", "/cases/{ref}/actions/withdraw", dict(enterprise=302, other_enterprise=404, unit=403,
                                                              other_unit=404, owning_staff=403, other_staff=403,
                                                              manager=403)),
}


@pytest.fixture
def delegated_case(center):
    case = make_case(center, "consultation")
    case.delegated_unit = center.unit
    advance_case(case, "request_materials", center.staff["consultation"], comment="公开", files=[])
    advance_case(case, "provide_materials", center.enterprise, comment="补充")
    db.session.commit()
    return case


def user_for(center, case, viewer):
    return {"enterprise": center.enterprise, "other_enterprise": center.other_enterprise, "unit": center.reporter,
            "other_unit": center.other_reporter, "owning_staff": center.staff["consultation"],
            "other_staff": center.outsider_staff, "manager": center.manager}.get(viewer)


def attachments(center, case) -> tuple[int, int]:
    """One public attachment (on the submission) and one internal (on a note)."""
    public = store_attachment(case, case.events[0], center.enterprise,
                              FileStorage(io.BytesIO(PDF), filename="公开.pdf"))
    note = CaseEvent(case=case, kind=EventKind.NOTE, public=False, actor=center.manager)
    db.session.add(note)
    internal = store_attachment(case, note, center.manager, FileStorage(io.BytesIO(PDF), filename="内部.pdf"))
    db.session.commit()
    return public.id, internal.id


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_case_route_tenancy(client, login_as, center, delegated_case, route, viewer):
    case = delegated_case
    public_id, internal_id = attachments(center, case)
    method, path, expected = ROUTES[route]
    user = user_for(center, case, viewer)
    if user is not None:
        login_as(user)
    url = path.format(ref=case.reference, public_id=public_id, internal_id=internal_id)
    form = {"version": case.version, "comment": "答复", "reason": "不需要了", "percent": 50, "note": "进展",
            "assignee": center.staff["consultation"].id, "unit": center.unit.id}
    response = client.get(url) if method == "GET" else client.submit(url, form, page="/")
    want = 302 if viewer == "anonymous" else expected[viewer]
    assert response.status_code == want
    if viewer == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("viewer, sees", [("enterprise", True), ("other_enterprise", False), ("unit", True),
                                          ("other_unit", False)])
def test_case_lists_show_only_what_is_theirs(client, login_as, center, delegated_case, viewer, sees):
    login_as(user_for(center, delegated_case, viewer))
    assert (delegated_case.reference in client.get("/cases/?state=all").get_data(as_text=True)) == sees


def test_internal_notes_never_reach_the_enterprise_or_the_unit(client, login_as, center, delegated_case):
    login_as(center.staff["consultation"])
    client.submit(f"/cases/{delegated_case.reference}/notes", {"comment": "客户难缠，注意措辞"}, page="/")
    assert "客户难缠" in client.get(f"/cases/{delegated_case.reference}").get_data(as_text=True)
    for outsider in (center.enterprise, center.reporter):
        client.submit("/logout", page="/")
        login_as(outsider)
        assert "客户难缠" not in client.get(f"/cases/{delegated_case.reference}").get_data(as_text=True)


def test_unit_reports_reach_the_unit_and_center_but_not_the_enterprise(client, login_as, center, delegated_case):
    login_as(center.reporter)
    response = client.submit(f"/cases/{delegated_case.reference}/progress", {"percent": 40, "note": "已完成初稿"},
                             page="/")
    assert response.status_code == 302
    assert "已完成初稿" in client.get(f"/cases/{delegated_case.reference}").get_data(as_text=True)
    for user, sees in ((center.staff["consultation"], True), (center.enterprise, False)):
        client.submit("/logout", page="/")
        login_as(user)
        assert ("已完成初稿" in client.get(f"/cases/{delegated_case.reference}").get_data(as_text=True)) == sees
