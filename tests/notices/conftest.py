"""Reading notices back as their readers do: the case page's notice list, the Word files it links to."""
import io
import re
from datetime import date
from unittest import mock
from urllib.parse import unquote

import pytest
from docx import Document

from ipcenter.notices import operations

NOTICE_DAY = date(2026, 11, 26)


@pytest.fixture
def notice_day():
    """Notices are dated (and numbered in the year of) 26 November 2026; `notice_day(day)` moves the day."""
    patcher = mock.patch.object(operations, "center_today", return_value=NOTICE_DAY)
    today = patcher.start()

    def move(day: date) -> None:
        today.return_value = day

    yield move
    patcher.stop()


def docx_text(data: bytes) -> str:
    """Everything a reader of the Word file sees: the letterhead, then the paragraphs."""
    document = Document(io.BytesIO(data))
    header = [p.text for p in document.sections[0].header.paragraphs]
    return "\n".join([*header, *(p.text for p in document.paragraphs)])


def notice_links(html: str) -> list[tuple[str, str, str]]:
    """(number, language, download path) of every file in the case page's notice list, in its order."""
    panel = html.split('id="notice-list"', 1)
    if len(panel) < 2:
        return []
    links = []
    for row in re.findall(r'<tr data-notice="[^"]+" id="notice-\d+">(.*?)</tr>', panel[1], re.S):
        number = re.search(r'class="notice-number[^"]*"[^>]*>([^<]+)<', row).group(1)
        for language, href in re.findall(r'data-language="(\w+)" href="([^"]+)"', row):
            links.append((number, language, href))
    return links


def downloaded(client, path: str) -> tuple[str, bytes]:
    """The file's name (as the browser saves it) and its contents."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    disposition = response.headers["Content-Disposition"]
    name = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    return (unquote(name.group(1)) if name else disposition.split("filename=")[1]), response.data


@pytest.fixture
def sign_in(client, login_as):
    """Log out whoever is signed in, then log in as `user`."""

    def sign_in(user):
        client.submit("/logout", page="/")
        return login_as(user)

    return sign_in
