"""A form sent again after its answer was lost, as a browser whose connection broke would send it.

"Dropped" means what a worker killed between the commit and the answer does: the server has committed,
and the browser still holds the cookies it had before sending.
"""
import re


def hidden(html: str, name: str) -> str:
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def form_on(html: str, form_id: str) -> str:
    return re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)


def opened_form(client, page: str, form_id: str, fields: dict, prefix: str = "") -> dict:
    """What the form `form_id` on `page` sends once `fields` are filled in: its own hidden keys and these."""
    form = form_on(client.get(page).get_data(as_text=True), form_id)
    return {f"{prefix}csrf_token": hidden(form, f"{prefix}csrf_token"),
            f"{prefix}submission_key": hidden(form, f"{prefix}submission_key"), **fields}


def sent_and_dropped(client, url: str, data: dict, **kwargs):
    """POST, then forget the answer and any cookie it set."""
    saved = {(cookie.domain, cookie.path, cookie.key): cookie.value for cookie in client._cookies.values()}
    client.post(url, data=data, **kwargs)
    client._cookies.clear()
    for (domain, path, key), value in saved.items():
        client.set_cookie(key, value, domain=domain, path=path)
