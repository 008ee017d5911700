"""A form sent again after its answer was lost, as a browser whose connection broke would send it; or
from its page opened anew, as Back and submit again sends it.

"Dropped" means what a worker killed between the commit and the answer does: the server has committed,
and the browser still holds the cookies it had before sending.
"""
import re
from datetime import timedelta
from html import unescape

from ipcenter.database import utcnow


def hidden(html: str, name: str) -> str:
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def form_on(html: str, form_id: str) -> str:
    return re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)


def opened_form(client, page: str, form_id: str, fields: dict) -> dict:
    """What the form `form_id` on `page` sends once `fields` are filled in: its hidden inputs (token, key, the
    case version) as the page wrote them, and these."""
    form = form_on(client.get(page).get_data(as_text=True), form_id)
    inputs = re.findall(r'<input[^>]*type="hidden"[^>]*>', form)
    return {re.search(r'name="([^"]+)"', field).group(1): unescape(re.search(r'value="([^"]*)"', field).group(1))
            for field in inputs} | fields


def sent_and_dropped(client, url: str, data: dict, **kwargs):
    """POST, then forget the answer and any cookie it set."""
    saved = {(cookie.domain, cookie.path, cookie.key): cookie.value for cookie in client._cookies.values()}
    client.post(url, data=data, **kwargs)
    client._cookies.clear()
    for (domain, path, key), value in saved.items():
        client.set_cookie(key, value, domain=domain, path=path)


def forms_sent_later(monkeypatch, **elapsed) -> None:
    """Forms are sent (and old keys swept) `elapsed` (timedelta's words) after now, as if their sender waited."""
    later = utcnow() + timedelta(**elapsed)
    monkeypatch.setattr("ipcenter.submission_keys.utcnow", lambda: later)


def sent_from_the_page(client, page: str, form_id: str, url: str, fields: dict):
    """Open `page` and send its form with `fields` typed in. Done again, it is Back and submit again: the page is
    fetched anew (a fresh key and case version) and the browser fills in what was typed."""
    return client.post(url, data=opened_form(client, page, form_id, fields))
