"""The schema exists only through migrations: they match the models and run both ways."""
import uuid
from collections import Counter
from functools import partial

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from ipcenter import create_app
from ipcenter.config import TestConfig
from ipcenter.extensions import db
from ipcenter.patents import demo as patents_demo


@pytest.fixture
def empty_database(db_url, tmp_path):
    """A database of the engine under test with nothing in it."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"ipcenter_migrations_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


# The finder's indexes on expressions are PostgreSQL's alone (models.Case): SQLite has none to compare them with.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
def test_migrations_match_the_models_and_run_both_ways(empty_database, tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database, INSTANCE_PATH=tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_a_database_in_use_goes_back_and_forward_with_its_cases_and_timeline(empty_database, tmp_path, monkeypatch):
    """Migrations that rebuild the cases table on SQLite keep every case and every timeline entry; the stays at
    stages and the turnarounds the engine kept are counted again from the timelines, the same."""
    monkeypatch.setattr(patents_demo, "seed_demo_patents", partial(patents_demo.seed_demo_patents, 200))
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database, INSTANCE_PATH=tmp_path,
                     UPLOAD_FOLDER=tmp_path / "uploads", INDEX_FOLDER=tmp_path / "index")
    with app.app_context():
        upgrade()
        assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
        tables = ("cases", "case_events", "stage_stints", "case_turnarounds")
        before = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in tables}
        db.session.remove()
        downgrade(revision="d79f6129abb9")  # before the first migration that rebuilds cases
        upgrade()
        after = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in tables}
        assert after == before and before["cases"] > 10 and before["case_turnarounds"] > 10
        db.session.remove()
        db.engine.dispose()


def test_the_dashboards_rows_are_counted_for_the_cases_already_there(empty_database, tmp_path, monkeypatch):
    """The revision that brought the stays at stages, the turnarounds and each answer's kind and post counts them
    for a database in use exactly as the engine and the demo kept them."""
    monkeypatch.setattr(patents_demo, "seed_demo_patents", partial(patents_demo.seed_demo_patents, 20))
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database, INSTANCE_PATH=tmp_path,
                     UPLOAD_FOLDER=tmp_path / "uploads", INDEX_FOLDER=tmp_path / "index")
    kept = {"stage_stints": "SELECT case_id, stage, next_stage, post, entered_on, left_on, working_days, "
                            "since_submission, within, waiting FROM stage_stints",
            "case_turnarounds": "SELECT * FROM case_turnarounds",
            "satisfaction_answers": "SELECT case_id, case_type, post FROM satisfaction_answers"}
    with app.app_context():
        upgrade()
        assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
        before = {table: db.session.execute(text(query)).all() for table, query in kept.items()}
        db.session.remove()
        downgrade(revision="e5c3f7a9b2d4")
        upgrade()
        after = {table: db.session.execute(text(query)).all() for table, query in kept.items()}
        assert {table: Counter(rows) for table, rows in after.items()} == {
            table: Counter(rows) for table, rows in before.items()}
        posts = {post for *_, post in before["satisfaction_answers"]}
        assert len(before["case_turnarounds"]) > 10 and len(posts) > 1 and None not in posts
        db.session.remove()
        db.engine.dispose()
