"""Abuse throttling: failed logins, reset mails, registrations, invitations and exports are limited,
in Redis or in the database (never in one worker's memory), and every login attempt is logged."""
import logging
import os
import time
from types import SimpleNamespace

import pytest
import redis
from sqlalchemy import func, select

from ipcenter import create_app
from ipcenter.accounts.models import Role
from ipcenter.audit.models import AuditEntry
from ipcenter.config import TestConfig
from ipcenter.extensions import db
from ipcenter.organisations.models import Organisation
from ipcenter.throttling import DatabaseStorage, ThrottleCounter, init_throttling
from tests.conftest import PASSWORD, make_user
from tests.organisations.test_registration import registration
from tests.patents.test_search import RECORDS, add_records

LIMITS = dict(LOGIN_ACCOUNT_LIMIT="3 per hour", LOGIN_ADDRESS_LIMIT="5 per hour", PASSWORD_RESET_LIMIT="2 per hour",
              REGISTRATION_LIMIT="2 per hour", INVITATION_LIMIT="2 per hour", EXPORT_RATE_LIMIT="2 per hour")


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis answers at {url}")
    return url


@pytest.fixture(params=["database", "redis"])
def storage(request, app):
    """Small limits, counted in the database or in Redis (under a prefix of this test's own)."""
    app.config.update(LIMITS, REDIS_URL=redis_url() if request.param == "redis" else None)
    init_throttling(app)
    return request.param


def fail_login(client, email, **kwargs):
    return client.submit("/login", {"email": email, "password": "Not-the-password-1"}, **kwargs)


def log_in(client, email, password=PASSWORD):
    return client.submit("/login", {"email": email, "password": password})


def test_failed_logins_of_one_account_are_refused_with_a_429_that_keeps_the_email(client, storage, caplog):
    user = make_user(Role.STAFF)
    for _ in range(3):
        assert fail_login(client, user.email).status_code == 200
    refused = log_in(client, user.email)  # even the right password, until the window ends
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many attempts. For your security, please wait 60 minutes and try again." in page
    assert f'value="{user.email}"' in page
    assert client.get("/account").status_code == 302
    assert f"throttled POST /login: account={user.email} address=127.0.0.1" in caplog.messages
    refusal = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "request.throttled")).one()
    assert (refusal.object_id, refusal.address, refusal.after["email"]) == ("/login", "127.0.0.1", user.email)
    chinese = fail_login(client, user.email, headers={"Accept-Language": "zh"})
    assert chinese.status_code == 429 and "尝试次数过多" in chinese.get_data(as_text=True)
    throttled = select(func.count()).where(AuditEntry.action == "request.throttled")
    assert db.session.scalar(throttled) == 1  # once per address and window: a flood cannot fill the log
    assert log_in(client, make_user(Role.STAFF).email).status_code == 302  # other accounts are not locked


def test_an_unknown_account_is_throttled_the_same_way(client, storage):
    answers = [fail_login(client, "nobody@example.cn").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_successful_logins_use_up_nothing_and_forgive_earlier_failures(app, client, storage):
    user = make_user(Role.STAFF)
    for _ in range(5):
        assert log_in(client, user.email).status_code == 302
        client.submit("/logout", page="/")
    for _ in range(2):
        fail_login(client, user.email)
    assert log_in(client, user.email).status_code == 302
    client.submit("/logout", page="/")
    assert [fail_login(client, user.email).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_failed_logins_from_one_address_are_limited_across_accounts(client, storage):
    emails = [make_user(Role.STAFF).email for _ in range(6)]
    answers = [fail_login(client, email).status_code for email in emails]
    assert answers == [200] * 5 + [429]
    assert client.submit("/login", {"email": emails[0], "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 302


def test_the_count_is_shared_by_every_worker(app, client, storage, tmp_path):
    """A second app (another gunicorn worker) sees the failures the first one counted."""
    user = make_user(Role.STAFF)
    for _ in range(3):
        fail_login(client, user.email)
    other_worker = create_app(TestConfig, **{key: app.config[key] for key in (
        "SQLALCHEMY_DATABASE_URI", "SERVER_NAME", "REDIS_URL")}, **LIMITS,
        THROTTLE_KEY_PREFIX=app.config["RATELIMIT_STORAGE_OPTIONS"]["key_prefix"], INSTANCE_PATH=tmp_path / "other")
    other_worker.test_client_class = type(client)
    with other_worker.app_context():
        assert log_in(other_worker.test_client(), user.email).status_code == 429
        if storage == "database":
            assert db.session.scalar(select(func.count()).select_from(ThrottleCounter)) > 0
        db.engine.dispose()


def test_reset_mails_are_limited_per_address_and_answered_alike(client, storage, mailbox):
    user = make_user(Role.STAFF)
    for email in (user.email, "nobody@example.cn"):
        assert client.submit("/password/forgot", {"email": email}).status_code == 302
    refused = client.submit("/password/forgot", {"email": user.email})
    assert refused.status_code == 429
    assert f'value="{user.email}"' in refused.get_data(as_text=True)
    assert len(mailbox()) == 1


def test_registrations_from_one_address_are_limited_and_the_form_is_kept(client, storage):
    for number in range(2):
        response = client.submit("/register", registration(email=f"owner{number}@lamps.cn"))
        assert response.status_code == 302
    refused = client.submit("/register", registration(email="third@lamps.cn", name_zh="中山市古镇第三灯饰厂"))
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page and 'value="中山市古镇第三灯饰厂"' in page and 'value="third@lamps.cn"' in page
    assert db.session.scalar(select(func.count(Organisation.id))) == 2


def test_invitations_are_limited_per_organisation(app, client, login_as, storage):
    owner = make_user(Role.ENTERPRISE)
    colleague = make_user(Role.ENTERPRISE, organisation=owner.organisation)
    login_as(owner)
    for number in range(2):
        response = client.submit("/organisation/invite", {"invite-email": f"new{number}@lamps.cn",
                                                          "invite-display_name": "新同事"}, page="/organisation")
        assert response.status_code == 302
    client.submit("/logout", page="/")
    login_as(colleague)  # the allowance is the organisation's, not the user's
    refused = client.submit("/organisation/invite", {"invite-email": "third@lamps.cn",
                                                     "invite-display_name": "第三位"}, page="/organisation")
    assert refused.status_code == 429
    assert 'value="third@lamps.cn"' in refused.get_data(as_text=True)


def test_exports_are_limited_per_user(client, login_as, storage):
    add_records(*RECORDS)
    login_as(make_user(Role.STAFF))
    answers = [client.get("/patents/export.csv", query_string={"q": "lamp"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    refused = client.get("/patents/export.csv", query_string={"q": "lamp"})
    assert "Too many attempts" in refused.get_data(as_text=True)


def test_every_login_attempt_is_logged_with_account_and_address(client, caplog):
    """No caplog.set_level: the records must pass the app's own logging setup, as under gunicorn."""
    user = make_user(Role.STAFF)
    fail_login(client, user.email)
    log_in(client, user.email)
    attempts = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "ipcenter.login"]
    assert attempts == [
        (logging.WARNING, f"login failed: account={user.email} address=127.0.0.1"),
        (logging.INFO, f"login: account={user.email} address=127.0.0.1"),
    ]


def test_the_database_storage_counts_windows_that_expire(app, monkeypatch):
    storage = DatabaseStorage(key_prefix="story")
    assert [storage.incr("k", expiry=1) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") > time.time()
    later = time.time() + 1.1
    monkeypatch.setattr("ipcenter.throttling.time", SimpleNamespace(time=lambda: later))
    assert storage.get("k") == 0
    assert storage.incr("k", expiry=60, amount=2) == 2  # a new window starts
    storage.clear("k")
    assert storage.get("k") == 0
    storage.incr("a", expiry=60)
    assert storage.reset() == 1 and storage.check()
