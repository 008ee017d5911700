"""Who reaches which page of a complaint: the complainant, the respondent (registered, and by its link), other
enterprises, the unit the assessment is delegated to and another unit, the staff of the post, other staff and the
managers; every denial written out. The link is its holder's authority, whoever is signed in."""
import pytest

from ipcenter.cases.operations import delegate_case
from ipcenter.complaints.operations import release_to_respondent
from ipcenter.extensions import db
from tests.complaints.conftest import EVIDENCE, OPINION, attachment_named, link_path, notified_complaint

READERS = ["complainant", "respondent", "other_enterprise", "unit", "other_unit", "owning_staff", "other_staff",
           "manager", "anonymous"]
# page -> the status each reader gets (anonymous: 302 to log in, where the page asks for a login).
PAGES = {
    "case page": ("/cases/{ref}", dict(complainant=200, respondent=404, other_enterprise=404, unit=200,
                                       other_unit=404, owning_staff=200, other_staff=200, manager=200, anonymous=302)),
    "respondent page": ("/complaints/{ref}/respond", dict(
        complainant=404, respondent=200, other_enterprise=404, unit=404, other_unit=404, owning_staff=200,
        other_staff=200, manager=200, anonymous=302)),
    "link page": ("{link}", {reader: 200 for reader in READERS}),
    "released file, by the link": ("{link}/files/{released}", {reader: 200 for reader in READERS}),
    "unreleased file, by the link": ("{link}/files/{evidence}", {reader: 404 for reader in READERS}),
    "released file, from the respondent page": ("/complaints/{ref}/respond/files/{released}", dict(
        complainant=404, respondent=200, other_enterprise=404, unit=404, other_unit=404, owning_staff=200,
        other_staff=200, manager=200, anonymous=302)),
    "unreleased file, from the respondent page": ("/complaints/{ref}/respond/files/{evidence}", dict(
        complainant=404, respondent=404, other_enterprise=404, unit=404, other_unit=404, owning_staff=200,
        other_staff=200, manager=200, anonymous=302)),
    "released file, from the case page": ("/cases/{ref}/attachments/{released}", dict(
        complainant=200, respondent=404, other_enterprise=404, unit=200, other_unit=404, owning_staff=200,
        other_staff=200, manager=200, anonymous=302)),
}
# Staff's actions on the respondent's side: status for each reader (a complaint's existence stays hidden).
ACTIONS = {
    "release a file": ("/complaints/{ref}/released/{evidence}", dict(
        complainant=403, respondent=404, other_enterprise=404, unit=403, other_unit=404, owning_staff=302,
        other_staff=403, manager=302, anonymous=302)),
    "start the prior-art search": ("/complaints/{ref}/validity-search", dict(
        complainant=403, respondent=404, other_enterprise=404, unit=403, other_unit=404, owning_staff=302,
        other_staff=403, manager=302, anonymous=302)),
}


@pytest.fixture
def world(center):
    respondent = center.other_enterprise
    from tests.conftest import make_user

    others = make_user()
    case = notified_complaint(center, respondent=respondent)
    delegate_case(case, center.unit, center.staff["rights_protection"], "请出具侵权判定意见")
    released = attachment_named(case, OPINION)
    release_to_respondent(case, released, center.staff["rights_protection"])
    db.session.commit()
    users = {"complainant": center.enterprise, "respondent": respondent, "other_enterprise": others,
             "unit": center.reporter, "other_unit": center.other_reporter,
             "owning_staff": center.staff["rights_protection"], "other_staff": center.outsider_staff,
             "manager": center.manager, "anonymous": None}
    values = {"ref": case.reference, "link": link_path(case), "released": released.id,
              "evidence": attachment_named(case, EVIDENCE).id}
    return users, values


@pytest.mark.parametrize("reader", READERS)
def test_each_reader_reaches_exactly_its_pages(client, login_as, world, reader):
    users, values = world
    if users[reader] is not None:
        login_as(users[reader])
    reached = {page: client.get(path.format(**values)).status_code for page, (path, _) in PAGES.items()}
    assert reached == {page: expected[reader] for page, (_, expected) in PAGES.items()}


@pytest.mark.parametrize("reader", READERS)
def test_only_the_post_and_the_managers_handle_the_respondent_s_side(client, login_as, world, reader):
    users, values = world
    if users[reader] is not None:
        login_as(users[reader])
    done = {action: client.submit(path.format(**values), page="/").status_code for action, (path, _) in ACTIONS.items()}
    assert done == {action: expected[reader] for action, (_, expected) in ACTIONS.items()}
