"""Managers' pages: the audit log, filtered, and its CSV export."""
from flask import Blueprint, abort, render_template, request

from ..extensions import db
from ..list_filters import PAGE_SIZE, page_number
from ..permissions import requires
from .exports import ExportTooLarge, export_entries
from .forms import AuditFilterForm
from .queries import filtered_entries

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@requires("audit.browse")
def browse():
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render_template("audit/list.html", form=form, page=None), 400
    page = db.paginate(filtered_entries(form.data), page=page_number(request.args), per_page=PAGE_SIZE,
                       error_out=False)
    return render_template("audit/list.html", form=form, page=page)


@bp.route("/export.csv")
@requires("audit.browse")
def export():
    form = AuditFilterForm(request.args)
    if not form.validate():
        abort(400, description=form.first_error())
    try:
        return export_entries(form.data)
    except ExportTooLarge as refusal:
        abort(400, description=str(refusal))
