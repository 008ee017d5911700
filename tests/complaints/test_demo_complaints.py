"""`flask seed-demo` shows the respondent's side living: complaints in every channel, a fair's respondent with
about five hours left (another client of the center, answering from its home page), a respondent who answered by
its link, a mediation settled by agreement, a referral, and a prior-art search started from a complaint."""
from sqlalchemy import select

from ipcenter.cases.models import Case
from ipcenter.complaints.operations import latest_link
from ipcenter.extensions import db
from tests.test_demo import first_run  # noqa: F401  (the fixture: the demo, seeded once per test process)


def test_the_demo_has_complaints_on_the_respondent_s_side_in_every_channel(first_run, client):
    complaints = db.session.scalars(select(Case).where(Case.case_type == "infringement_complaint")).all()
    assert {case.channel for case in complaints} == {"fair", "online", "ordinary"}
    fair = next(case for case in complaints if case.channel == "fair" and case.respondent_credit_code)
    assert fair.stage == "respondent_answer" and fair.hours_left == 5
    assert fair.started_cases[0].case_type == "fast_retrieval"
    answered = [case for case in complaints if latest_link(case) and latest_link(case).used_at
                and any(e.action == "respondent_answers" and e.actor is None for e in case.events)]
    assert answered
    assert {"settled", "referred_to_bureau"} <= {case.outcome for case in complaints}
    login = client.submit("/login", {"email": "mingzhu@demo.ipcenter.cn", "password": "Demo-2026-guzhen"})
    assert login.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert f"/complaints/{fair.reference}/respond" in home
    page = client.get(f"/complaints/{fair.reference}/respond").get_data(as_text=True)
    assert 'data-hours-left="5"' in page and "侵权判定意见书.pdf" in page
