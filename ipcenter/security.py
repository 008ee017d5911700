"""What every response must carry and which requests the app answers at all.

Known hosts only (a forged Host header gets 400, and links that leave the app are built
on BASE_URL anyway: see `mail.external_url`); X-Forwarded-* believed only from the
configured number of proxies; security headers on every response.
"""
import re
from itertools import chain
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
Fallback = TypeVar("Fallback", bound=str | None)  # where local_path leads otherwise: a path, or none

# Nothing inline: scripts, styles and fonts come from our own static folder; Bootstrap's
# icons (the menu toggler, the close button) are data: SVG images.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def init_security(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        # Flask's documented way to add WSGI middleware: its types declare wsgi_app a method, not an attribute.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count,  # type: ignore[method-assign]
                                x_host=count, x_port=count, x_prefix=count)

    @app.errorhandler(SecurityError)
    def unknown_host(error):
        # Answered plainly: with an untrusted host no URL can be built, so no page can be rendered.
        app.logger.warning("refused a request for host %r from %s", request.environ.get("HTTP_HOST"),
                           request.remote_addr)
        return _("This server does not answer to the host name in the request."), 400, \
            {"Content-Type": "text/plain; charset=utf-8"}

    @app.before_request
    def refuse_nul_characters():
        # No text of ours holds a NUL, and PostgreSQL refuses one in a string: answered here, not with a 500.
        fields = request.args.lists() if request.method in ("GET", "HEAD") else \
            chain(request.args.lists(), request.form.lists())
        if any("\x00" in value for _name, values in fields for value in values):
            abort(400, description=_("The request holds a NUL character, which no text may contain."))

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if app.config["ENV_NAME"] == "production" and app.config["HSTS_SECONDS"]:
            headers["Strict-Transport-Security"] = f"max-age={app.config['HSTS_SECONDS']}"
        if _private(response):
            headers["Cache-Control"] = "no-store"
        return response


def _private(response) -> bool:
    """A signed-in user's page or any download: never kept by a browser or shared cache."""
    if "attachment" in response.headers.get("Content-Disposition", ""):
        return True
    return request.endpoint != "static" and current_user.is_authenticated


def local_path(target: str | None, default: Fallback) -> str | Fallback:
    """`target` if it is a path on this site, else `default`: a `next` must never lead elsewhere.

    Browsers read a backslash as a slash and drop tabs and newlines, so `/\\host` and
    `/<tab>/host` would become `//host`, another site; any of them is refused.
    """
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or CONTROL_CHARACTERS.search(target) or urlsplit(target).netloc):
        return default
    return target
