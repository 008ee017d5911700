"""App-level defences: known hosts only, links on BASE_URL, proxies believed only when configured,
security headers on every kind of page, local-only `next` targets, and no demo data in production."""
import logging
import re

import pytest
from sqlalchemy import select

from ipcenter import create_app
from ipcenter.accounts.models import Role, User
from ipcenter.cases.operations import delegate_case
from ipcenter.config import PROJECT_ROOT, TestConfig, trusted_hosts
from ipcenter.extensions import db
from tests.cases.conftest import center, make_case  # noqa: F401  (the fixture)
from tests.conftest import PASSWORD, link_in, make_user

NEW_PASSWORD = "Brass-chandelier-2026"
TEMPLATES = PROJECT_ROOT / "templates"


# Hosts and links ---------------------------------------------------------------


def test_a_reset_requested_through_a_forged_host_is_refused_and_mails_nobody(app, client, mailbox):
    user = make_user(Role.ENTERPRISE)
    app.config["WTF_CSRF_ENABLED"] = False  # the attacker's own session is not the point here
    response = client.post("/password/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "This server does not answer to the host name in the request."
    assert mailbox() == []


@pytest.fixture
def second_host_name(app):
    """Requests come through another trusted name (`localhost`), and no SERVER_NAME decides for them."""
    app.config["SERVER_NAME"] = None


def test_a_reset_link_leads_to_base_url_whatever_host_it_was_asked_through(second_host_name, client, mailbox):
    user = make_user(Role.ENTERPRISE)
    client.submit("/password/forgot", {"email": user.email})
    [message] = mailbox()
    assert "http://ipcenter.test/password/reset/" in message.get_content()
    assert "localhost" not in message.get_content()
    assert client.get(link_in(message)).status_code == 200


def test_an_invitation_sent_through_a_second_host_name_links_to_base_url(second_host_name, client, login_as,
                                                                          mailbox):
    login_as(make_user(Role.MANAGER))
    client.submit("/admin/users/new", {"email": "new.staff@example.cn", "display_name": "王新", "role": "2"})
    [message] = mailbox()
    assert message["To"] == "new.staff@example.cn"
    assert "http://ipcenter.test/invitation/" in message.get_content()


@pytest.mark.parametrize("base_url, listed, production, expected", [
    ("https://ip.guzhen.gov.cn", None, True, ["ip.guzhen.gov.cn"]),
    ("https://ip.guzhen.gov.cn", None, False, ["ip.guzhen.gov.cn", "localhost", "127.0.0.1"]),
    ("http://127.0.0.1:5000", None, False, ["127.0.0.1", "localhost"]),
    ("https://ip.guzhen.gov.cn", "ip.guzhen.gov.cn, 10.0.0.5", True, ["ip.guzhen.gov.cn", "10.0.0.5"]),
])
def test_trusted_hosts_come_from_the_configuration(base_url, listed, production, expected):
    assert trusted_hosts(base_url, listed, production) == expected


def proxied_app(db_url, tmp_path, proxies):
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=db_url, INSTANCE_PATH=tmp_path / "instance",
                      MAIL_FOLDER=tmp_path / "mail", PROXY_COUNT=proxies)


@pytest.mark.parametrize("proxies, logged_address", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_for_is_believed_only_from_the_configured_proxies(schema, db_url, tmp_path, caplog, proxies,
                                                                      logged_address):
    app = proxied_app(db_url, tmp_path, proxies)
    with caplog.at_level(logging.WARNING, logger="ipcenter"):
        response = app.test_client().get("/", headers={"Host": "evil.example", "X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 400
    assert caplog.messages == [f"refused a request for host 'evil.example' from {logged_address}"]


def test_a_proxy_passing_on_a_forged_host_is_refused_too(schema, db_url, tmp_path):
    app = proxied_app(db_url, tmp_path, 1)
    client = app.test_client()
    assert client.get("/", headers={"Host": "ipcenter.test", "X-Forwarded-Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1", "X-Forwarded-Host": "ipcenter.test"}).status_code == 200


# Security headers -------------------------------------------------------------

EVERY_RESPONSE = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_protected(response, *, stored: bool):
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, name
    assert ("no-store" not in response.headers.get("Cache-Control", "")) == stored
    assert "Strict-Transport-Security" not in response.headers


def test_public_pages_static_files_errors_and_json_carry_the_headers(client):
    assert_protected(client.get("/"), stored=True)
    assert_protected(client.get("/login"), stored=True)
    assert_protected(client.get("/static/ipcenter.css"), stored=True)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_protected(missing, stored=True)
    health = client.get("/healthz")
    assert health.is_json
    assert_protected(health, stored=True)


def test_signed_in_pages_and_exports_are_never_stored(client, login_as, users):
    login_as(users["staff"])
    assert_protected(client.get("/"), stored=False)
    assert_protected(client.get("/account"), stored=False)
    assert_protected(client.get("/no-such-page"), stored=False)
    export = client.get("/patents/export.csv", query_string={"q": "吸顶灯"})
    assert export.headers["Content-Disposition"].startswith("attachment;")
    assert_protected(export, stored=False)
    # shared files stay cacheable for a signed-in user too
    assert_protected(client.get("/static/ipcenter.css"), stored=True)


def test_strict_transport_security_in_production_as_configured(app, client):
    app.config.update(ENV_NAME="production", HSTS_SECONDS=31536000)
    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000"
    app.config["HSTS_SECONDS"] = 0
    assert "Strict-Transport-Security" not in client.get("/").headers


INLINE_CODE = re.compile(r"""\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=["']|javascript:""", re.IGNORECASE)


def test_no_template_holds_inline_style_or_script_the_policy_would_block():
    offenders = [f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
                 for path in TEMPLATES.rglob("*.html") for match in INLINE_CODE.finditer(path.read_text())]
    assert offenders == []


@pytest.mark.parametrize("referrer, back", [
    ("http://ipcenter.test/password/forgot?lang=en", "/password/forgot?lang=en"),
    ("http://evil.example/password/forgot", "/"),
    (None, "/"),
])
def test_an_expired_form_leads_back_to_its_page_without_script(client, referrer, back):
    response = client.post("/password/forgot", data={"email": "a@example.cn"},
                           headers={"Referer": referrer} if referrer else {})
    assert response.status_code == 400
    assert f'href="{back}" id="back-to-form"' in response.get_data(as_text=True)


def test_a_case_page_with_a_progress_report_renders_without_inline_style(client, login_as, center):
    case = make_case(center, "foreign_assistance", "in_progress")
    delegate_case(case, center.unit, center.staff["foreign_assistance"], "请联系展会主办方")
    db.session.commit()
    login_as(center.reporter)
    client.submit(f"/cases/{case.reference}/progress", {"percent": 60, "note": "已向主办方投诉"}, page="/")
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert '<progress class="report-progress" max="100" value="60" aria-label="Progress">' in html
    assert INLINE_CODE.search(html) is None


# Where `next` may lead -----------------------------------------------------------

OTHER_SITES = ["//evil.example/", "/\\evil.example", "/\\\\evil.example", "/\t/evil.example", "/\n/evil.example",
               "/cases\\..\\@evil.example", "https://evil.example/", "javascript:alert(1)", "evil.example",
               ""]


@pytest.mark.parametrize("target", OTHER_SITES)
def test_language_switch_never_leads_to_another_site(client, target):
    response = client.submit("/language/en", {"next": target}, page="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_the_page_it_was_used_on(client):
    response = client.submit("/language/en", {"next": "/patents/?q=吸顶灯&page=2"}, page="/login")
    assert response.headers["Location"] == "/patents/?q=%E5%90%B8%E9%A1%B6%E7%81%AF&page=2"


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example"])
def test_login_never_leads_to_another_site(client, users, target):
    response = client.submit("/login", {"email": users["staff"].email, "password": PASSWORD},
                             query_string={"next": target})
    assert response.headers["Location"] == "/"


# The command line in production -----------------------------------------------------


def test_seed_demo_is_refused_in_production(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "seed-demo is refused when IPCENTER_ENV=production" in result.output
    assert db.session.scalar(select(User)) is None


def test_the_first_manager_is_made_on_the_command_line_and_can_log_in(runner, client):
    result = runner.invoke(args=["users", "create-manager", "Director@Guzhen.example", "--name", "何主任"],
                           input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Center manager director@guzhen.example created" in result.output
    manager = db.session.scalar(select(User))
    assert (manager.email, manager.display_name, manager.role) == ("director@guzhen.example", "何主任", Role.MANAGER)
    response = client.submit("/login", {"email": "director@guzhen.example", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_create_manager_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create-manager", "director@guzhen.example", "--password-stdin"],
                           input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).display_name == "director"


def test_create_manager_asks_again_when_the_two_passwords_differ(runner):
    result = runner.invoke(args=["users", "create-manager", "director@guzhen.example"],
                           input=f"{NEW_PASSWORD}\nsomething-else-1\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Error: The two entered values do not match." in result.output


@pytest.mark.parametrize("email, password, problem", [
    ("director@guzhen.example", "short1", "Use at least"),
    ("not-an-email", NEW_PASSWORD, "Email: Enter a valid email address."),
])
def test_create_manager_applies_the_app_rules(runner, email, password, problem):
    result = runner.invoke(args=["users", "create-manager", email, "--password-stdin"], input=password)
    assert result.exit_code == 1
    assert problem in result.output
    assert db.session.scalar(select(User)) is None


def test_create_manager_refuses_an_email_already_in_use(runner, users):
    result = runner.invoke(args=["users", "create-manager", users["staff"].email.upper(), "--password-stdin"],
                           input=NEW_PASSWORD)
    assert result.exit_code == 1
    assert "An account with this email already exists." in result.output


def test_a_nul_character_in_a_parameter_or_a_field_is_refused_with_a_reason(client, login_as, users):
    """PostgreSQL refuses NUL in a string; the app answers 400 before any query sees one."""
    login_as(users["staff"])
    listed = client.get("/workspace/?q=lamp%00shade")
    assert listed.status_code == 400
    assert "The request holds a NUL character, which no text may contain." in listed.get_data(as_text=True)
    saved = client.submit("/account", {"display_name": "王\x00预审", "language": "zh"})
    assert saved.status_code == 400
    switched = client.submit("/language/en", {"next": "/\x00/evil.example"}, page="/account")
    assert switched.status_code == 400 and "Location" not in switched.headers
