"""Citing patents into a case, the conclusion, and the report document."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from ..audit import operations as audit
from ..cases.models import Case
from ..cases.operations import CaseRefused
from ..cases.signals import page_panels
from ..cases.views import case_or_404
from ..extensions import db
from ..patents.models import Patent
from ..patents.query import QueryError
from ..permissions import can
from ..security import local_path
from ..submission_keys import sent_once
from .document import DOCX, search_report_docx
from .forms import CiteForm, ConclusionForm, RecordSearchForm
from .operations import (
    AlreadyCited,
    cite_patent,
    record_search,
    remove_citation,
    remove_search,
    report_contents,
    save_conclusion,
)

bp = Blueprint("reports", __name__)


def _back(default: str) -> str:
    return local_path(request.form.get("next"), default)


def _form_errors(form) -> str:
    return " ".join(f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items())


@bp.route("/citations", methods=["POST"])
@login_required
@sent_once(by_fields=False)
def cite():
    form = CiteForm()
    if not form.validate():
        abort(400, description=_form_errors(form))
    case = case_or_404(form.case.data.strip())
    patent = db.session.get(Patent, request.form.get("patent_id", type=int) or 0)
    if patent is None or not can(current_user, "patent.view", patent):
        abort(404)
    try:
        cite_patent(case, patent, form.category.data, form.note.data, current_user, replace=form.replace.data)
    except AlreadyCited as question:
        return render_template("reports/confirm_citation.html", form=form, patent=patent, case=case,
                               existing=question.citation,
                               back=_back(url_for("cases.show", reference=case.reference))), 409
    except CaseRefused as refusal:
        abort(400, description=str(refusal))
    flash(_("%(number)s is cited in %(reference)s as %(category)s.", number=patent.display_number,
            reference=case.reference, category=form.category.data), "success")
    return redirect(_back(url_for("cases.show", reference=case.reference)))


@bp.route("/cases/<reference>/citations/<int:citation_id>/remove", methods=["POST"])
@login_required
def uncite(reference, citation_id):
    return _removed(reference, remove_citation, citation_id, _("The citation is removed from the report."))


def _removed(reference: str, remove, item_id: int, done: str):
    case = case_or_404(reference)
    try:
        remove(case, item_id, current_user)
    except CaseRefused as refusal:
        abort(400, description=str(refusal))
    flash(done, "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="search-report"))


@bp.route("/cases/<reference>/search-report/searches", methods=["POST"])
@login_required
@sent_once(by_fields=False)
def record(reference):
    case = case_or_404(reference)
    form = RecordSearchForm()
    if not form.validate():
        abort(400, description=_form_errors(form))
    try:
        saved = record_search(case, current_user, form.mode.data, form.q.data)
    except (CaseRefused, QueryError) as refusal:
        abort(400, description=str(refusal))
    flash(ngettext("The search is recorded in the report of %(reference)s: %(num)d hit, counted as the enterprise "
                   "sees the collection.", "The search is recorded in the report of %(reference)s: %(num)d hits, "
                   "counted as the enterprise sees the collection.", saved.result_count, reference=reference),
          "success")
    return redirect(_back(url_for("cases.show", reference=reference, _anchor="search-report")))


@bp.route("/cases/<reference>/search-report/searches/<int:record_id>/remove", methods=["POST"])
@login_required
def unrecord(reference, record_id):
    return _removed(reference, remove_search, record_id, _("The search is removed from the report."))


@bp.route("/cases/<reference>/search-report", methods=["POST"])
@login_required
def conclusion(reference):
    case = case_or_404(reference)
    form = ConclusionForm()
    if not form.validate():
        abort(400, description=_form_errors(form))
    try:
        save_conclusion(case, form.conclusion.data, current_user)
    except CaseRefused as refusal:
        abort(400, description=str(refusal))
    flash(_("The conclusion is saved."), "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="search-report"))


@bp.route("/cases/<reference>/search-report.docx")
@login_required
def document(reference):
    case = case_or_404(reference)
    if not can(current_user, "report.read", case):
        abort(404)
    contents = report_contents(case)
    audit.record("report.downloaded", "case", case.reference, after={"file": contents.filename})
    return Response(search_report_docx(contents), mimetype=DOCX,
                    headers={"Content-Disposition": f"attachment; filename={contents.filename}"})


@page_panels.connect
def report_panel(case: Case) -> Markup | None:
    """The search report on the case page, as far as the current user may see it."""
    if not can(current_user, "report.read", case):
        return None
    contents = report_contents(case)
    editable = can(current_user, "report.edit", case)
    form = ConclusionForm(formdata=None, conclusion=contents.conclusion) if editable else None
    return Markup(render_template("reports/_search_report.html", case=case, contents=contents, editable=editable,
                                  form=form))
