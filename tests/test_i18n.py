"""Every page in Simplified Chinese and in English; the catalogs are complete."""
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ipcenter.accounts.models import User
from ipcenter.extensions import db
from tests.conftest import make_post

ROOT = Path(__file__).resolve().parent.parent
PAGES_BY_ROLE = {
    "anonymous": ["/", "/login", "/register", "/password/forgot", "/no-such-page"],
    "enterprise": ["/", "/account", "/account/password", "/organisation"],
    "reporter": ["/", "/account"],
    "staff": ["/", "/account", "/admin/users/"],
    "manager": ["/", "/admin/users/", "/admin/users/new", "/admin/users/{staff_id}", "/admin/organisations/",
                "/admin/organisations/{organisation_id}", "/admin/units/", "/admin/units/new",
                "/admin/units/{unit_id}", "/admin/posts/", "/admin/posts/new", "/admin/posts/{post_id}"],
}
# A string in the navigation or footer of every page, in each language.
MARKERS = {"zh": "时间均为北京时间", "en": "Times are shown in China Standard Time"}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", sorted(PAGES_BY_ROLE))
def test_every_page_renders_in_both_languages(client, login_as, users, role, language):
    ids = {"staff_id": users["staff"].id, "organisation_id": users["enterprise"].organisation_id,
           "unit_id": users["reporter"].unit_id, "post_id": make_post().id}
    if role != "anonymous":
        users[role].language = language
        login_as(users[role])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    other = "en" if language == "zh" else "zh"
    for page in PAGES_BY_ROLE[role]:
        response = client.get(page.format(**ids))
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 403, 404), page
        assert MARKERS[language] in text, page
        assert MARKERS[other] not in text, page


def test_language_switcher_remembers_the_choice(client, login_as, users):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.submit("/language/zh", {"next": "/login"}, page="/login")
    assert "登录" in client.get("/login").get_data(as_text=True)
    login_as(users["staff"])
    client.submit("/language/en", {"next": "/"}, page="/")
    assert db.session.get(User, users["staff"].id).language == "en"


def test_language_switcher_refuses_foreign_next_links(client):
    response = client.submit("/language/zh", {"next": "//evil.example"}, page="/")
    assert response.headers["Location"] == "/"


def test_accept_language_picks_chinese_for_mainland_browsers(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9,en;q=0.5"
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_form_errors_are_translated(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    text = client.submit("/login", {"email": "", "password": ""}).get_data(as_text=True)
    assert "该字段是必填字段" in text or "此字段是必需的" in text or "必填" in text


def test_times_are_shown_in_shanghai(app, users):
    from datetime import datetime, timezone

    from ipcenter.i18n import local_time
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = local_time(datetime(2026, 10, 1, 16, 30, tzinfo=timezone.utc), "yyyy-MM-dd HH:mm")
    assert shown == "2026-10-02 00:30"


def test_catalogs_cover_every_string_in_the_code(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "-o", str(template), "."],
                   cwd=ROOT, check=True, capture_output=True)
    wanted = {message.id for message in read_po(template.open("rb")) if message.id}
    for language in ("zh", "en"):
        catalog = read_po((ROOT / f"ipcenter/translations/{language}/LC_MESSAGES/messages.po").open("rb"))
        translated = {message.id for message in catalog if message.id and message.string}
        assert wanted - translated == set(), f"untranslated in {language}"
