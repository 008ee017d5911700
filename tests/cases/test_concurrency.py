"""Two people act on one case at once; many enterprises submit at once; the timeline cannot be rewritten."""
import threading

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from ipcenter.accounts.models import User
from ipcenter.cases.models import Case, CaseEvent, EventKind
from ipcenter.cases.operations import CaseChanged, advance_case, submit_case
from ipcenter.extensions import db
from ipcenter.organisations.models import Organisation
from tests.cases.conftest import DETAILS, make_case


def run_together(app, jobs):
    """Run each job in its own thread, app context and database session, released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                results[index] = job(barrier)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_people_act_at_once_one_wins_the_other_is_told_to_reload(app, center):
    case = make_case(center, "consultation")
    people = [center.staff["consultation"].id, center.colleague["consultation"].id]
    actions = [("answer", {"comment": "答复"}), ("not_accept", {"reason": "不属于服务范围"})]

    def job(user_id, action, inputs):
        def act(barrier):
            loaded = db.session.get(Case, case.id)
            user = db.session.get(User, user_id)
            version = loaded.version
            barrier.wait()
            advance_case(loaded, action, user, expected_version=version, **inputs)
            db.session.flush()
            return "done"
        return act

    results = run_together(app, [job(p, a, i) for p, (a, i) in zip(people, actions, strict=True)])
    assert sorted(map(type, results), key=str) == sorted([str, CaseChanged], key=str), results
    db.session.expire_all()
    final = db.session.get(Case, case.id)
    transitions = [e for e in final.events if e.kind == EventKind.TRANSITION]
    assert len(transitions) == 1 and final.stage == {"answer": "answered", "not_accept": "not_accepted"}[
        transitions[0].action]
    assert final.version == 2


def test_a_stale_page_is_refused_over_http(client, login_as, center):
    case = make_case(center, "consultation")
    login_as(center.staff["consultation"])
    stale = case.version
    client.submit(f"/cases/{case.reference}/assign", {"claim": "1", "version": stale}, page="/")
    response = client.submit(f"/cases/{case.reference}/actions/answer", {"version": stale, "comment": "答复"},
                             page="/")
    assert response.status_code == 409
    assert "This case has changed since you opened it" in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).stage == "answering"


def test_concurrent_submissions_get_distinct_gapless_references(app, center):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serialises every write")
    organisation_id, submitter_id = center.enterprise.organisation_id, center.enterprise.id

    def submit(barrier):
        organisation = db.session.get(Organisation, organisation_id)
        submitter = db.session.get(User, submitter_id)
        barrier.wait()
        return submit_case(organisation, submitter, "consultation", DETAILS["consultation"]).reference

    results = run_together(app, [submit] * 12)
    assert all(isinstance(r, str) for r in results), results
    numbers = sorted(int(reference[-6:]) for reference in results)
    assert numbers == list(range(1, 13))


def test_the_database_refuses_to_rewrite_the_timeline(center):
    case = make_case(center, "consultation")
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id).values(comment="改写"))
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(delete(CaseEvent).where(CaseEvent.case_id == case.id))
    db.session.rollback()
    assert db.session.scalar(select(func.count(CaseEvent.id))) == 1
