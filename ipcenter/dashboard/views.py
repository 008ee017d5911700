"""The dashboard page, and the report over its filters (a month, or the period shown) as XLSX or CSV."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..audit.operations import record
from ..cases.workflow import CASE_TYPES
from ..exports import FORMATS
from ..extensions import db, limiter
from ..organisations.models import Post
from ..page_cache import kept_while_unchanged
from ..permissions import can, requires
from ..throttling import setting, signed_in_user
from ..working_calendar.queries import calendar_notice
from .figures import board
from .forms import DashboardForm, last_month
from .report import post_names, report_file

bp = Blueprint("dashboard", __name__)


def _form() -> DashboardForm:
    every_post = can(current_user, "dashboard.every_post")
    posts = (db.session.scalars(select(Post).where(Post.active).order_by(Post.id)).all() if every_post
             else sorted(current_user.posts, key=lambda post: post.id))
    return DashboardForm(request.args, posts, every_post)


def _refused(form: DashboardForm):
    """The page with each filter's problem beside it (a report asked with them too: made once they are mended)."""
    return render_template("dashboard/show.html", form=form, board=None, report_month=last_month()), 400


@bp.route("/dashboard")
@requires("dashboard.view")
@kept_while_unchanged()
def show():
    form = _form()
    if not form.validate():
        return _refused(form)
    scope = form.scope()
    return render_template("dashboard/show.html", form=form, board=board(scope), post_names=post_names(),
                           case_types=CASE_TYPES, report_month=scope.previous_month,
                           calendar_notice=calendar_notice(scope.today))


@bp.route("/dashboard/report.<file_format>")
@requires("dashboard.view")
@limiter.limit(setting("EXPORT_RATE_LIMIT"), key_func=signed_in_user)
def report(file_format):
    form = _form()
    if file_format not in FORMATS:
        abort(404)
    if not form.validate():
        return _refused(form)
    scope = form.scope()
    body = report_file(scope, file_format, form.failure_threshold, form.quiet_days)
    record("center_report.downloaded", "center_report",
           after={"filters": request.args.to_dict(), "format": file_format})
    name = f"report-{scope.first.isoformat()}-{scope.last.isoformat()}.{file_format}"
    return Response(body, mimetype=FORMATS[file_format],
                    headers={"Content-Disposition": f"attachment; filename={name}"})
