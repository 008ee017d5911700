from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from ..cases.agenda import home_for
from ..extensions import db
from ..security import local_path

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/dashboard.html", **home_for(current_user))


@bp.route("/language/<code>", methods=["POST"])
def switch_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["language"] = code
        if current_user.is_authenticated:
            current_user.language = code
    return redirect(local_path(request.form.get("next"), url_for("main.home")))


@bp.route("/favicon.ico")
def favicon():
    """Where a browser looks for the icon of a page that names none (a file opened in a tab)."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/healthz")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}
