"""The application factory, settings and database connection."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import text

from ipcenter import create_app
from ipcenter.config import Config, TestConfig
from ipcenter.extensions import db


def test_development_secret_key_is_created_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("IPCENTER_INSTANCE", str(tmp_path))
    first = Config.from_environment()["SECRET_KEY"]
    second = Config.from_environment()["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert first == second and len(first) == 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("IPCENTER_INSTANCE", str(tmp_path))
    monkeypatch.setenv("IPCENTER_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_cookies_are_secure_and_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("IPCENTER_INSTANCE", str(tmp_path))
    monkeypatch.setenv("IPCENTER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "files"))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert str(app.config["UPLOAD_FOLDER"]) == str(tmp_path / "files")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'ipcenter.sqlite3'}"


def sqlite_pragmas(app, *names: str) -> list:
    with app.app_context(), db.engine.connect() as connection:
        return [connection.execute(text(f"PRAGMA {name}")).scalar() for name in names]


def test_sqlite_connections_are_configured_for_production(tmp_path):
    """Production settings: every acknowledged commit is fsynced (synchronous=FULL)."""
    app = create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'production.sqlite3'}",
                     INSTANCE_PATH=tmp_path, SECRET_KEY="production-like")
    assert sqlite_pragmas(app, "foreign_keys", "journal_mode", "busy_timeout", "synchronous") == [
        1, "wal", 5000, 2]  # 2 is FULL


def test_the_test_suite_turns_fsync_off_and_keeps_the_rest(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings only apply to SQLite")
    assert sqlite_pragmas(app, "foreign_keys", "journal_mode", "busy_timeout", "synchronous") == [
        1, "wal", 5000, 0]  # 0 is OFF


def test_an_unknown_sqlite_synchronous_level_is_refused(tmp_path):
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA"):
        create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite3'}", SECRET_KEY="x",
                   INSTANCE_PATH=tmp_path, SQLITE_SYNCHRONOUS="SOMETIMES")


def test_health_check_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_unknown_page_is_a_friendly_404_in_html_and_json(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Error 404" in response.get_data(as_text=True) or "错误 404" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"] == 404


def test_a_crash_gives_the_500_page_and_rolls_back(app, client):
    @app.route("/crash")
    def crash():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/crash", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_too_large_request_gets_the_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000}, headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_write_that_loses_a_race_gets_the_409_page_and_writes_nothing(app, client):
    from sqlalchemy import func, select

    from ipcenter.accounts.models import Role, User
    from ipcenter.accounts.operations import create_user

    @app.route("/race", methods=["GET"])
    def race():
        create_user("twin@example.cn", "First", Role.STAFF, password="Lamp-shade-2026")
        create_user("twin@example.cn", "Second", Role.STAFF, password="Lamp-shade-2026")
        return "unreachable"

    response = client.get("/race")
    assert response.status_code == 409
    assert "Someone else changed the same record" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_workers_starting_together_share_one_development_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from ipcenter.config import development_secret_key

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: development_secret_key(tmp_path), range(32)))
    assert len(keys) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_cached_url_builders_are_the_ones_werkzeug_compiles(app):
    """The suite compiles each URL builder once (tests/url_builders.py); each is what werkzeug would compile."""
    from tests.url_builders import compile_afresh

    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50
    for rule in rules:
        for append_unknown, cached in ((False, rule._build), (True, rule._build_unknown)):
            fresh = compile_afresh(rule, append_unknown).__code__
            assert (cached.__code__.co_code, cached.__code__.co_consts, cached.__code__.co_varnames) == (
                fresh.co_code, fresh.co_consts, fresh.co_varnames), rule.rule
    with app.test_request_context():
        assert url_for("cases.show", reference="ZS-2026-000001") == "/cases/ZS-2026-000001"
        assert url_for("static", filename="ipcenter.css", v=2) == "/static/ipcenter.css?v=2"


def test_every_test_app_shares_the_run_s_engine(app, schema):
    """The suite hands each test's app the one engine of the run (tests/shared_engine.py)."""
    from tests.shared_engine import share_engine

    assert db.engine is schema
    other = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=schema.url.render_as_string(hide_password=False))
    with other.app_context():
        built = db.engine
        assert built is not schema
        share_engine(other, schema)
        assert db.engine is schema
        assert db.session.scalar(text("SELECT 1")) == 1


def test_every_url_rule_builds_the_same_urls_with_the_shared_builders(app):
    """The suite shares compiled URL builders between its apps (tests/shared_routes.py): each gives what
    a builder Werkzeug compiled afresh for the rule gives."""
    from tests.shared_routes import BUILDERS, compile_builder

    rules = list(app.url_map.iter_rules())
    assert len(BUILDERS) >= len(rules)
    for rule in rules:
        values = {name: 7 if "int" in type(rule._converters[name]).__name__.lower() else "ZS-2026-000001"
                  for name in rule.arguments}
        for append_unknown in (False, True):
            extra = {"next": "/cases/?page=2"} if append_unknown else {}
            fresh = compile_builder(rule, append_unknown).__get__(rule, None)
            shared = rule._build_unknown if append_unknown else rule._build
            assert shared(**values, **extra) == fresh(**values, **extra), rule.rule


def test_the_suite_signs_forms_with_the_sessions_token_as_a_page_would(client, login_as, users):
    """`client.submit` fetches a form's page only while the session has no CSRF token (tests/conftest.py)."""
    login_as(users["staff"])
    assert client.session_csrf_token() is None  # logging in starts a new session
    client.get("/")
    token = client.session_csrf_token()
    assert client.post("/logout", data={"csrf_token": token[:-2] + "xx"}).status_code == 400
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_script_that_imports_the_package_can_use_every_model():
    """A command or benchmark that imports one domain module, without building an app, maps every relationship."""
    script = "import ipcenter.patents.demo\nfrom sqlalchemy.orm import configure_mappers\nconfigure_mappers()"
    finished = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1], capture_output=True,
                              text=True)
    assert finished.returncode == 0, finished.stderr


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon_every_page_names(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"] == "/static/favicon.svg"
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in client.get("/login").get_data(
        as_text=True)
    assert client.get("/static/favicon.svg").mimetype == "image/svg+xml"
