from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..calendar import center_today
from ..extensions import db
from ..organisations.models import Organisation, OrganisationStatus
from ..permissions import can
from ..security import local_path
from ..working_calendar.queries import calendar_notice

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    pending = None
    if can(current_user, "organisation.review"):
        pending = db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.status == OrganisationStatus.PENDING))
    notice = calendar_notice(center_today()) if can(current_user, "calendar.view") else None
    return render_template("main/dashboard.html", pending_organisations=pending, calendar_notice=notice)


@bp.route("/language/<code>", methods=["POST"])
def switch_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["language"] = code
        if current_user.is_authenticated:
            current_user.language = code
    return redirect(local_path(request.form.get("next"), url_for("main.home")))


@bp.route("/healthz")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}
