"""Error pages in the user's language; JSON for clients that ask for it."""
from urllib.parse import urlsplit

from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .patents.index import IndexDamaged, IndexMissing, IndexUnavailable
from .security import local_path
from .throttling import current_refusal

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to do this."),
    404: _l("This page does not exist, or you may not see it."),
    405: _l("This page cannot be used that way."),
    409: _l("Someone else changed the same record at the same moment. Nothing of yours was saved; "
            "go back, reload the page and try again."),
    413: _l("The upload is too large."),
    503: _l("Patent search is unavailable until the search index is rebuilt (flask search rebuild)."),
    500: _l("Something went wrong on our side. The error has been logged; please try again later."),
}
INDEX_PROBLEMS = {
    IndexMissing: _l("Patent search is unavailable: the search index is missing. It must be rebuilt from the "
                     "database (flask search rebuild)."),
    IndexDamaged: _l("Patent search is unavailable: the search index cannot be read. It must be rebuilt from the "
                     "database (flask search rebuild)."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def _render(code: int, message: str, template: str = "errors/generic.html", **context):
    if _wants_json():
        return {"error": code, "message": str(message)}, code
    return render_template(template, code=code, message=message, **context), code


def _form_page(default: str | None = None) -> str | None:
    """The page the form was on (the referrer, if it is ours): where "back" leads."""
    referrer = urlsplit(request.referrer or "")
    if not request.referrer or referrer.netloc != request.host:
        return default
    return local_path(referrer._replace(scheme="", netloc="", fragment="").geturl(), default)


def upload_limit_mb() -> str:
    """MAX_CONTENT_LENGTH in MB, as people write it: 20, 0.5."""
    return f"{(current_app.config['MAX_CONTENT_LENGTH'] or 0) / 2 ** 20:.3g}"


def register_error_handlers(app) -> None:
    app.jinja_env.globals["upload_limit_mb"] = upload_limit_mb  # the upload check in every page says it too

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        app.logger.warning("CSRF failure on %s: %s", request.path, error.description)
        return _render(400, error.description, "errors/csrf.html", back=_form_page(url_for("main.home")))

    @app.errorhandler(IntegrityError)
    def conflicting_write(error):
        # Forms check uniqueness first; this is the rare race that slips between check and write.
        app.logger.warning("integrity error on %s: %s", request.path, error.orig)
        db.session.rollback()
        return _render(409, MESSAGES[409])

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(error):
        app.logger.error("%s", error)
        return _render(503, INDEX_PROBLEMS.get(type(error), MESSAGES[503]))

    @app.errorhandler(RateLimitExceeded)
    def throttled(error):
        if error.response is not None:  # a form page again, with what the user typed
            return error.response
        app.logger.warning("throttled %s %s from %s", request.method, request.path, request.remote_addr)
        return _render(429, current_refusal())

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 413:
            return _render(413, _l("The upload is too large: files up to %(limit)s MB are accepted.",
                                   limit=upload_limit_mb()), back=_form_page())
        if error.description != type(error).description:  # a reason given by the view
            return _render(error.code, error.description)
        return _render(error.code, MESSAGES.get(error.code, error.description))

    @app.errorhandler(Exception)
    def server_error(error):
        app.logger.exception("unhandled error on %s", request.path)
        db.session.rollback()
        return _render(500, MESSAGES[500])
