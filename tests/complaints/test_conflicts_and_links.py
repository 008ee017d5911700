"""Around a complaint: the conflict check (both parties may be the center's clients), the prior-art search it
starts for its patent, linked both ways, and the patent's record showing its complaints to the center."""
import re
from datetime import date

from sqlalchemy import select

from ipcenter.cases.models import Case
from ipcenter.extensions import db
from ipcenter.patents.models import Patent
from tests.cases.conftest import make_case
from tests.complaints.conftest import notified_complaint
from tests.conftest import make_organisation, make_user


def _conflict_panel(client, reference: str, conflict: str = "both") -> str:
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    found = re.search(rf'<div class="alert [a-z-]+" id="conflict-check" data-conflict="{conflict}">(.*?)</div>',
                      page, re.S)
    return found.group(1) if found else ""


def test_staff_are_warned_when_both_parties_have_open_cases_with_the_center(client, login_as, center):
    respondent = center.other_enterprise
    named = make_user(organisation=make_organisation(name_zh="中山市古镇鑫辉灯饰厂"))
    complaint = notified_complaint(center, respondent=respondent)
    by_name = notified_complaint(center, respondent_name="中山市古镇鑫辉灯饰厂")
    mine = make_case(center, "consultation")
    theirs = make_case(center, "patent_filing")
    theirs.organisation, theirs.submitter = respondent.organisation, respondent
    named_case = make_case(center, "fast_retrieval")
    named_case.organisation, named_case.submitter = named.organisation, named
    closed = make_case(center, "consultation", "closed")
    closed.organisation = respondent.organisation
    db.session.commit()
    login_as(center.staff["rights_protection"])
    panel = _conflict_panel(client, complaint.reference)
    assert f'href="/cases/{mine.reference}"' in panel and f'href="/cases/{theirs.reference}"' in panel
    assert f'href="/cases/{by_name.reference}"' in panel  # the complainant's other open complaint
    assert respondent.organisation.credit_code in panel and closed.reference not in panel
    assert complaint.reference not in re.sub(r"<h2.*?</h2>", "", panel)
    assert f'href="/cases/{named_case.reference}"' in _conflict_panel(client, by_name.reference)  # by exact name
    client.submit("/logout", page="/")
    login_as(center.enterprise)
    assert _conflict_panel(client, complaint.reference) == ""  # the check is the center's


def test_the_complainants_own_cases_are_listed_without_a_conflict_warning(client, login_as, center):
    """A client complaining of a stranger is no conflict: its other cases are listed for reference only."""
    complaint = notified_complaint(center)
    mine = make_case(center, "consultation")
    login_as(center.staff["rights_protection"])
    assert _conflict_panel(client, complaint.reference) == ""
    listed = _conflict_panel(client, complaint.reference, conflict="complainant")
    assert mine.reference in listed and "Both are clients" not in listed


def test_no_panel_when_neither_party_has_other_open_cases(client, login_as, center):
    complaint = notified_complaint(center)
    login_as(center.staff["rights_protection"])
    assert _conflict_panel(client, complaint.reference) == ""


def test_staff_start_the_prior_art_search_for_the_patent_linked_both_ways(client, login_as, center):
    complaint = notified_complaint(center)
    patent = Patent(country="CN", publication_number="CN306000001", kind_code="S", patent_type="design",
                    application_number="CN202130123456.8", title="六臂水晶吊灯", publication_date=date(2021, 9, 1))
    db.session.add(patent)
    db.session.commit()
    login_as(center.staff["rights_protection"])
    page = client.get(f"/cases/{complaint.reference}").get_data(as_text=True)
    assert f'href="/patents/{patent.id}"' in page  # the enforced patent's record
    response = client.submit(f"/complaints/{complaint.reference}/validity-search", page=f"/cases/{complaint.reference}")
    assert response.status_code == 302
    search = db.session.scalar(select(Case).where(Case.case_type == "fast_retrieval"))
    assert response.location.endswith(f"/cases/{search.reference}")
    assert search.organisation_id == complaint.organisation_id and search.retrieval_purpose == "novelty"
    assert "ZL202130123456.8" in search.target_description and "六臂水晶吊灯" in search.target_description
    assert search.linked_case_id == complaint.id and search.stage == "intake"
    again = client.submit(f"/complaints/{complaint.reference}/validity-search", page=f"/cases/{complaint.reference}")
    assert again.status_code == 409 and search.reference in again.get_data(as_text=True)
    assert f'data-linked="{search.reference}"' in client.get(f"/cases/{complaint.reference}").get_data(as_text=True)
    assert f'data-linked="{complaint.reference}"' in client.get(f"/cases/{search.reference}").get_data(as_text=True)
    client.submit("/logout", page="/")
    login_as(center.enterprise)  # both are the complainant's own cases
    assert f'data-linked="{search.reference}"' in client.get(f"/cases/{complaint.reference}").get_data(as_text=True)
    assert 'id="start-validity-search"' not in client.get(f"/cases/{complaint.reference}").get_data(as_text=True)


def test_the_patent_s_record_shows_its_complaints_to_the_center_only(client, login_as, center):
    patent = Patent(country="CN", publication_number="CN306000002", kind_code="S", patent_type="design",
                    application_number="CN202130123456", title="六臂水晶吊灯", publication_date=date(2021, 9, 1))
    db.session.add(patent)
    complaint = notified_complaint(center)
    other_patent = notified_complaint(center, patent_number="ZL202130654321.4")
    granted = make_case(center, "fast_pre_examination", "granted", patent_number="ZL202130123456.8")
    db.session.commit()
    login_as(center.staff["consultation"])
    page = client.get(f"/patents/{patent.id}").get_data(as_text=True)
    listed = re.search(r'<ul class="small mb-0" id="patent-complaints">(.*?)</ul>', page, re.S).group(1)
    assert f'data-reference="{complaint.reference}"' in listed and complaint.respondent_name in listed
    assert other_patent.reference not in listed and granted.reference not in listed
    client.submit("/logout", page="/")
    login_as(center.enterprise)
    page = client.get(f"/patents/{patent.id}").get_data(as_text=True)
    assert 'id="patent-complaints"' not in page and complaint.reference not in page
