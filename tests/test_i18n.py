"""Every page in Simplified Chinese and in English; the catalogs are complete."""
import re
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ipcenter.accounts.models import Role, User
from ipcenter.calendar import add_working_days, center_today
from ipcenter.extensions import db
from ipcenter.i18n import local_time
from ipcenter.patents.models import Patent
from ipcenter.translations_cli import is_translated
from tests.cases.conftest import center, make_case  # noqa: F401  (the fixture, for cases in both languages)
from tests.conftest import PASSWORD, make_post, make_user

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
# The pages above that are errors, which must speak the reader's language too.
ERROR_PAGES = {("anonymous", "/no-such-page"): 404, ("staff", "/admin/users/"): 403}
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
        assert response.status_code == ERROR_PAGES.get((role, page), 200), page
        assert MARKERS[language] in text, page
        assert MARKERS[other] not in text, page


def test_language_switcher_remembers_the_choice(client, login_as, users):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.submit("/language/zh", {"next": "/login"}, page="/login")
    assert "登录" in client.get("/login").get_data(as_text=True)
    login_as(users["staff"])
    client.submit("/language/en", {"next": "/"}, page="/")
    assert db.session.get(User, users["staff"].id).language == "en"


def test_the_language_chosen_on_the_login_page_is_the_one_read_after_logging_in(client, login_as, users):
    users["staff"].language = "zh"
    db.session.commit()
    client.submit("/language/en", {"next": "/login"}, page="/login")
    login_as(users["staff"])
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert db.session.get(User, users["staff"].id).language == "en"  # the mail it gets too
    client.submit("/logout", page="/")
    login_as(users["staff"])  # nothing chosen this time: the preference speaks
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_a_password_changed_keeps_the_language_of_the_profile(client, login_as, users):
    client.submit("/language/en", {"next": "/login"}, page="/login")
    login_as(users["staff"])
    client.submit("/account", {"display_name": users["staff"].display_name, "language": "zh"},
                  page="/account")
    assert db.session.get(User, users["staff"].id).language == "zh"
    response = client.submit("/account/password", {"current_password": PASSWORD, "password": "Another-2026-pass",
                                                   "confirm": "Another-2026-pass"}, page="/account/password")
    assert response.status_code == 302  # a new session, as after a login
    assert db.session.get(User, users["staff"].id).language == "zh"
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_language_switcher_refuses_foreign_next_links(client):
    response = client.submit("/language/zh", {"next": "//evil.example"}, page="/")
    assert response.headers["Location"] == "/"


def test_accept_language_picks_chinese_for_mainland_browsers(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9,en;q=0.5"
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_form_errors_are_translated(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    text = client.submit("/login", {"email": "", "password": ""}).get_data(as_text=True)
    assert text.count('<div class="invalid-feedback d-block">该字段是必填字段。</div>') == 2  # email and password


def test_times_are_shown_in_shanghai(app, users):
    from datetime import datetime

    from ipcenter.i18n import local_time
    with app.test_request_context(headers={"Accept-Language": "en"}):
        shown = local_time(datetime(2026, 10, 1, 16, 30, tzinfo=UTC), "yyyy-MM-dd HH:mm")
    assert shown == "2026-10-02 00:30"


def test_catalogs_cover_every_string_in_the_code(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "_ln:1,2", "-k", "lazy_ngettext:1,2", "--no-location",
                    "-o", str(template), "."],
                   cwd=ROOT, check=True, capture_output=True)
    wanted = {message.id for message in read_po(template.open("rb")) if message.id}
    for language in ("zh", "en"):
        catalog = read_po((ROOT / f"ipcenter/translations/{language}/LC_MESSAGES/messages.po").open("rb"))
        translated = {message.id for message in catalog if message.id and is_translated(message)}
        assert wanted - translated == set(), f"untranslated in {language}"


CJK = "[\u3400-\u9fff\uf900-\ufaff]"
FULL_WIDTH = "，。：；？！（）“”、"
# Placeholders for names of people, units, stages and statuses: mostly Chinese, so no space sets them off.
CHINESE_PLACEHOLDER = r"%\((?:name|actor|inviter|unit|status|stage|what|action)\)s"
CHINESE_PUNCTUATION_RULES = {
    "ASCII punctuation after a Chinese character": rf"{CJK}[:.,;?!()]",
    "ASCII brackets around Chinese": rf"\([^()]*{CJK}[^()]*\)",
    "a space between two Chinese characters": rf"{CJK} +{CJK}",
    "a space beside full-width punctuation": rf"[{FULL_WIDTH}] | [{FULL_WIDTH}]",
    "a space between Chinese and a name": rf"{CJK} +{CHINESE_PLACEHOLDER}|{CHINESE_PLACEHOLDER} +{CJK}",
}


def chinese_messages():
    catalog = read_po((ROOT / "ipcenter/translations/zh/LC_MESSAGES/messages.po").open("rb"), locale="zh")
    for message in catalog:
        if message.id:
            yield from message.string if isinstance(message.string, tuple) else [message.string]


def test_chinese_sentences_use_full_width_punctuation_and_no_stray_spaces():
    faults = [f"{rule}: {text}" for text in chinese_messages()
              for rule, pattern in CHINESE_PUNCTUATION_RULES.items() if re.search(pattern, text)]
    assert faults == []


@pytest.mark.parametrize("text, rule", [("请联系中心:", "ASCII punctuation after a Chinese character"),
                                        ("检索报告(草稿)", "ASCII brackets around Chinese"),
                                        ("已 保存", "a space between two Chinese characters"),
                                        ("已保存 。", "a space beside full-width punctuation"),
                                        ("已分派给 %(name)s", "a space between Chinese and a name")])
def test_each_punctuation_rule_catches_its_fault(text, rule):
    assert re.search(CHINESE_PUNCTUATION_RULES[rule], text)
    assert not any(re.search(pattern, "请在 %(num)d 天内检索 ti:吊灯：已分派给%(name)s。")
                   for pattern in CHINESE_PUNCTUATION_RULES.values())


def case_due(client, case) -> str:
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    return page.split('id="case-due"')[1][:600]


@pytest.mark.parametrize("language, shown", [
    ("en", ["1 working day left", "2 working days left", "Overdue by 1 working day<"]),
    ("zh", ["剩余 1 个工作日", "剩余 2 个工作日", "逾期 1 个工作日"]),
])
def test_days_left_agree_with_their_number(client, login_as, center, language, shown):
    today = center_today()
    cases = [make_case(center, "consultation") for _ in range(3)]
    for case, days in zip(cases, (1, 2, -1), strict=True):
        case.due_date = add_working_days(today, days)
    center.enterprise.language = language
    db.session.commit()
    login_as(center.enterprise)
    assert [text in case_due(client, case) for case, text in zip(cases, shown, strict=True)] == [True, True, True]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_dates_are_written_the_iso_way_in_both_languages(client, login_as, center, language):
    case = make_case(center, "consultation")
    center.enterprise.language = language
    db.session.commit()
    login_as(center.enterprise)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert case.due_date.isoformat() in case_due(client, case)
    submitted = local_time(case.created_at)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", submitted) and submitted in page


@pytest.mark.parametrize("language, shown", [("en", ["In force", "Granted", "部分无效"]),
                                             ("zh", ["有效", "已授权", "部分无效"])])
def test_legal_status_is_shown_in_the_interface_language(client, login_as, users, language, shown):
    patents = [Patent(country="CN", publication_number=f"CN30500000{n}", kind_code="S", patent_type="design",
                      title="吊灯", legal_status=status) for n, status in enumerate(["有效", "granted", "部分无效"])]
    db.session.add_all(patents)
    users["staff"].language = language
    db.session.commit()
    login_as(users["staff"])
    for patent, label in zip(patents, shown, strict=True):
        assert f'id="legal-status">{label}<' in client.get(f"/patents/{patent.id}").get_data(as_text=True)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r"<(script|style|code)\b.*?</\1>", "", html, flags=re.S))


def test_chinese_pages_put_full_width_colons_after_labels(client, login_as, center):
    case = make_case(center, "fast_pre_examination", "pre_examination")
    for user in (center.enterprise, center.staff["pre_examination"]):
        user.language = "zh"
    db.session.commit()
    login_as(center.enterprise)
    pages = [client.get(path).get_data(as_text=True) for path in ("/", "/organisation")]
    client.submit("/logout", page="/")
    login_as(center.staff["pre_examination"])
    pages.append(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert "备案状态：" in pages[0] and "必填：说明。" in pages[2]
    assert [re.findall(rf"{CJK}[:,;] ?.{{0,12}}", visible_text(page)) for page in pages] == [[], [], []]


def test_a_mail_is_written_in_its_readers_language_while_the_pages_are_in_another(client, mailbox):
    reader = make_user(Role.ENTERPRISE, language="zh", display_name="何华辉")
    page = client.submit("/password/forgot", {"email": reader.email}, follow_redirects=True)
    assert "a reset link is on its way" in page.get_data(as_text=True)
    [message] = mailbox()
    body = message.get_content()
    assert body.startswith("何华辉，您好：") and "如果不是您本人操作，请忽略此邮件，您的密码不会改变。" in body
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
