"""`flask seed-demo` creates a living center, and running it again changes nothing."""
import pytest
from sqlalchemy import func, select

from ipcenter.accounts.models import Role, User
from ipcenter.cases.workflow import OWNING_POSTS
from ipcenter.extensions import db
from ipcenter.organisations.models import DemonstrationUnit, Organisation, OrganisationStatus, Post
from tests.snapshots import built_once

TABLES = (User, Organisation, DemonstrationUnit, Post)


def counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


@pytest.fixture
def first_run(app, runner):
    """What `flask seed-demo --first-run` printed on an empty database, and the center it made.

    The seed (3,000 patents and their index) runs once per test process; later tests get its rows back."""
    def seed() -> str:
        result = runner.invoke(args=["seed-demo", "--first-run"])
        assert result.exit_code == 0, result.output
        return result.output

    return built_once("the demo center", app, seed)


def test_seed_demo_twice_is_harmless(first_run, runner):
    assert "manager@demo.ipcenter.cn" in first_run and "Demo-2026-guzhen" in first_run
    after_first = counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert counts() == after_first


def test_seed_demo_creates_what_the_center_needs(first_run, client):
    codes = set(db.session.scalars(select(Post.code)))
    assert {"intake", "filing", "pre_examination", "retrieval", "consultation", "foreign_assistance"} <= codes
    assert set(OWNING_POSTS) <= codes  # every stage of every case type has its post
    statuses = sorted(s.name for s in db.session.scalars(select(Organisation.status)))
    assert statuses == ["PENDING", "RECORDED", "RECORDED"]
    assert db.session.scalar(select(func.count(DemonstrationUnit.id))) == 2
    for post in db.session.scalars(select(Post)):
        assert any(member.role == Role.STAFF for member in post.members), post.code
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER))
    response = client.submit("/login", {"email": manager.email, "password": "Demo-2026-guzhen"})
    assert response.status_code == 302
    assert OrganisationStatus.PENDING in set(db.session.scalars(select(Organisation.status)))


def test_first_run_seeding_leaves_a_database_in_use_alone(runner):
    from tests.conftest import make_user

    make_user(Role.STAFF)
    result = runner.invoke(args=["seed-demo", "--first-run"])
    assert result.exit_code == 0 and "no demo data added" in result.output
    assert counts()["Post"] == 0


def test_first_run_on_a_seeded_database_lists_the_demo_logins_again(first_run, runner):
    before = counts()
    again = runner.invoke(args=["seed-demo", "--first-run"])
    assert "no demo data added" in again.output and "manager@demo.ipcenter.cn" in again.output
    assert counts() == before


def test_first_run_seeding_fills_an_empty_database(first_run):
    assert "manager@demo.ipcenter.cn" in first_run and counts()["Post"] == 7


def test_seed_demo_adds_a_living_set_of_cases(first_run, runner):
    from ipcenter.cases.models import Case
    from ipcenter.cases.workflow import CASE_TYPES

    cases = db.session.scalars(select(Case)).all()
    for code, case_type in CASE_TYPES.items():
        reached = {case.stage for case in cases if case.case_type == code}
        assert reached == {stage.code for stage in case_type.stages}, code
    assert any(case.is_overdue for case in cases)
    assert {case.delegated_unit.kind.name for case in cases if case.delegated_unit} == {"PATENT_AGENCY", "LAW_FIRM"}
    before = len(cases)
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(select(func.count(Case.id))) == before


def test_seed_demo_fills_a_marked_demonstration_patent_collection(first_run, runner):
    from ipcenter.patents.models import Patent
    from ipcenter.patents.numbers import normalise_cn_application_number

    patents = db.session.scalars(select(Patent)).all()
    assert len(patents) >= 2000 and all(p.is_demo for p in patents)
    assert {p.patent_type for p in patents} == {"design", "utility_model", "invention"}
    designs = [p for p in patents if p.patent_type == "design"]
    assert all(p.locarno.startswith("26-") and p.kind_code == "S" for p in designs)
    assert all(p.ipc.startswith("F21") for p in patents if p.patent_type != "design")
    assert any("吸顶灯" in p.title and "ceiling lamp" in p.title for p in patents)
    sample = patents[::250]
    assert all(normalise_cn_application_number(p.application_number) == p.application_number for p in sample)
    assert all(p.filing_date < p.publication_date for p in patents)
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(select(func.count(Patent.id))) == len(patents)


def test_a_demo_case_page_names_its_stage_once_not_again_in_the_title(first_run, client):
    """The title heads the page; a stage name in it repeated the badge, the stepper and the heading below."""
    from flask_babel import force_locale

    from ipcenter.cases.models import Case

    cases = db.session.scalars(select(Case)).all()
    assert len(cases) > 40
    for language in ("zh", "en"):
        with force_locale(language):
            for case in cases:
                assert str(case.current_stage.name) not in case.title, (language, case.title)


def test_the_demo_dashboard_has_satisfaction_figures_and_the_enterprise_answers_to_give(first_run, client):
    from ipcenter.cases.models import Case, SatisfactionAnswer
    from tests.dashboard.test_figures import table

    rated = db.session.scalars(select(Case).join(SatisfactionAnswer)).all()
    assert len(rated) > 10 and all(case.stage in case.workflow.rated_endings for case in rated)
    client.submit("/login", {"email": "manager@demo.ipcenter.cn", "password": "Demo-2026-guzhen"})
    rows = table(client.get("/dashboard").get_data(as_text=True), "satisfaction-per-month")[1:]
    assert rows and all(1 <= float(row[-1]) <= 5 for row in rows)
    client.submit("/logout", page="/")
    client.submit("/login", {"email": "huahui@demo.ipcenter.cn", "password": "Demo-2026-guzhen"})
    assert 'id="heading-to_rate"' in client.get("/").get_data(as_text=True)
