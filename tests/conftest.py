"""Fixtures: an app per test on SQLite (default) or PostgreSQL (TEST_DATABASE_URL).

The schema is created once per run; every test starts with empty tables.
"""
import contextvars
import email
import email.policy
import itertools
import os
import re
import time
from pathlib import Path

import pytest
from flask import has_app_context
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from itsdangerous import TimestampSigner
from jinja2 import BytecodeCache
from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from stdnum.cn import uscc

from ipcenter import create_app
from ipcenter.accounts.models import Role
from ipcenter.accounts.operations import create_user
from ipcenter.audit.models import SQLITE_TRIGGERS as AUDIT_TRIGGERS
from ipcenter.cases.models import APPEND_ONLY_TRIGGERS
from ipcenter.config import TestConfig
from ipcenter.extensions import db
from ipcenter.organisations.models import DemonstrationUnit, Organisation, OrganisationStatus, Post, UnitKind
from tests.shared_engine import share_engine
from tests.shared_routes import share_route_builders
from tests.snapshots import built_once
from tests.url_builders import share_url_builders

share_url_builders()

PASSWORD = "Lamp-shade-2026"
SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_root / 'test.sqlite3'}"
    try:
        return worker_database(make_url(url))
    except OperationalError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL server answers at {url}: {error.orig}", allow_module_level=True)


def worker_database(url: URL) -> str:
    """Under pytest-xdist each worker gets its own database on the server (`test_gw0`, …), made if missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        server = create_engine(url, isolation_level="AUTOCOMMIT")
        url = url.set(database=f"{url.database}_{worker}")
        with server.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": url.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        server.dispose()
    # A test database need not survive a crash: commits do not wait for the WAL to reach the disk
    # (PostgreSQL's counterpart of SQLITE_SYNCHRONOUS=OFF).
    url = url.update_query_dict({"options": "-c synchronous_commit=off"})
    create_engine(url).connect().close()
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    return database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def schema(db_url):
    """Create the schema once for the run and yield the engine every test's app shares; drop it at the end."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=db_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        engine = db.engine
    yield engine
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # DELETE costs far less than TRUNCATE on tables of a few rows. With triggers off for this
            # transaction (the replica role) neither foreign keys nor the append-only triggers stand in
            # the way; then every sequence starts again at 1, as TRUNCATE ... RESTART IDENTITY did.
            # All in one round trip to the server.
            connection.exec_driver_sql(
                "SET LOCAL session_replication_role = replica; "
                + "".join(f'DELETE FROM "{table.name}"; ' for table in tables)
                + "SELECT setval(oid, 1, false) FROM pg_class "
                  "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace")
        else:  # the append-only triggers would refuse the DELETE: lift them while emptying
            for name in ("case_events_no_update", "case_events_no_delete", *AUDIT_TRIGGERS):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            for table in tables:
                connection.execute(table.delete())
            for statement in (*APPEND_ONLY_TRIGGERS["sqlite"], *AUDIT_TRIGGERS.values()):
                connection.execute(text(statement))


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per run and shared by every test's app.

    Each test builds a new app, and Jinja compiled every template again for each:
    half the suite's time went to parsing the same sources. Buckets are keyed by the
    template's name and checksum, so an edited template is compiled afresh.
    """

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()
share_route_builders()


class UserClient(FlaskClient):
    """A test client that fills in the CSRF token the way a browser's form would.

    Each request runs in a fresh context, with its own app context, `g` and
    database session, as in production; the test's own work is committed first
    and its objects are reloaded afterwards.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect being followed, already isolated
            return super().open(*args, **kwargs)
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response

    def csrf_token(self, page: str = "/") -> str:
        html = self.get(page).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST a form as a user would after opening `page` (default: the form's own URL). The page is
        fetched only while the browser's session has no CSRF token: once it has, every page's forms
        carry that token, signed as `session_csrf_token` signs it."""
        fields = dict(data or {})
        fields.setdefault("csrf_token", self.session_csrf_token() or self.csrf_token(page or url))
        return self.post(url, data=fields, **kwargs)

    def session_csrf_token(self) -> str | None:
        """The CSRF token a page shown now would put in its forms, or None if the session has none yet."""
        session = self.get_cookie(self.application.config["SESSION_COOKIE_NAME"], domain="ipcenter.test")
        if session is None:
            return None

        def sign() -> str | None:
            with self.application.test_request_context(headers={"Cookie": f"{session.key}={session.value}"}):
                return generate_csrf() if "csrf_token" in flask_session else None

        return contextvars.Context().run(sign)


@pytest.fixture
def app(schema, db_url, tmp_path):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=db_url,
        INSTANCE_PATH=tmp_path / "instance",
        UPLOAD_FOLDER=tmp_path / "uploads",
        INDEX_FOLDER=tmp_path / "index",
        MAIL_FOLDER=tmp_path / "mail",
        SERVER_NAME="ipcenter.test",
    )
    app.test_client_class = UserClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    share_engine(app, schema)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login_as(client):
    """Log the test client in as `user` through the login form."""

    def login(user, password: str = PASSWORD):
        response = client.submit("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, f"login as {user.email} failed"
        return user

    return login


@pytest.fixture
def mailbox(app):
    """The messages written to the development mail folder, oldest first."""

    def read() -> list[email.message.EmailMessage]:
        folder = Path(app.config["MAIL_FOLDER"])
        if not folder.exists():
            return []
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted(folder.glob("*.eml"))]

    return read


def link_in(message) -> str:
    """The path of the first ipcenter link in an email."""
    match = re.search(r"https?://ipcenter\.test(/\S+)", message.get_content())
    assert match, "no link in the email"
    return match.group(1)


def links_checked_later(monkeypatch, seconds: int) -> None:
    """Links sent so far are checked `seconds` after now, as if their reader waited that long."""
    now = time.time()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: int(now + seconds))


# Factories --------------------------------------------------------------

_sequence = itertools.count(1)


def valid_credit_code(number: int | None = None) -> str:
    stem = f"91442000MA{(number or next(_sequence)):07d}"
    return stem + uscc.calc_check_digit(stem)


def _create(model, defaults: dict, overrides: dict):
    record = model(**{**defaults, **overrides})
    db.session.add(record)
    db.session.flush()
    return record


def make_organisation(**overrides) -> Organisation:
    n = next(_sequence)
    return _create(Organisation, dict(
        name_zh=f"中山市古镇测试灯饰{n}厂", name_en=f"Test Lighting {n}", credit_code=valid_credit_code(n),
        address="广东省中山市古镇镇", contact_person="何先生", phone="13800138000", email=f"org{n}@example.cn",
        main_products="吸顶灯", status=OrganisationStatus.RECORDED), overrides)


def make_unit(**overrides) -> DemonstrationUnit:
    n = next(_sequence)
    return _create(DemonstrationUnit, dict(
        name_zh=f"测试代理所{n}", kind=UnitKind.PATENT_AGENCY, contact_person="周先生", phone="13900139000",
        email=f"unit{n}@example.cn"), overrides)


def make_post(**overrides) -> Post:
    n = next(_sequence)
    return _create(Post, dict(code=f"post_{n}", name_zh=f"测试岗{n}", name_en=f"Test post {n}", description=""),
                   overrides)


def make_user(role: Role = Role.ENTERPRISE, **overrides):
    n = next(_sequence)
    if role == Role.ENTERPRISE and "organisation" not in overrides:
        overrides["organisation"] = make_organisation()
    if role == Role.UNIT_REPORTER and "unit" not in overrides:
        overrides["unit"] = make_unit()
    email = overrides.pop("email", f"{role.name.lower()}{n}@example.cn")
    name = overrides.pop("display_name", f"User {n}")
    password = overrides.pop("password", PASSWORD)
    language = overrides.pop("language", "en")
    user = create_user(email, name, role, password=password, **overrides)
    user.language = language
    db.session.commit()
    return user


@pytest.fixture
def users(app):
    """One user of each role, plus a second enterprise, committed."""
    return built_once("one user of each role", app, lambda: {
        "enterprise": make_user(Role.ENTERPRISE),
        "other_enterprise": make_user(Role.ENTERPRISE),
        "staff": make_user(Role.STAFF),
        "manager": make_user(Role.MANAGER),
        "reporter": make_user(Role.UNIT_REPORTER),
    })
