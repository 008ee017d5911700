"""Search pages: results with facets and highlights, a patent's page, exports, the query-language help."""
from flask import Blueprint, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..audit.operations import record
from ..cases.models import Case
from ..complaints.queries import complaints_enforcing
from ..extensions import db, limiter
from ..list_filters import address_with_query, page_number
from ..page_cache import kept_while_unchanged
from ..permissions import can
from ..reports.forms import CiteForm, RecordSearchForm
from ..reports.operations import citable_cases, citations_in, citations_visible_to
from ..throttling import setting, signed_in_user
from .exports import EXPORT_LIMIT, export_response
from .forms import SearchForm
from .models import Patent
from .query import QueryError
from .search import FACET_FIELDS, more_like, search_by_mode
from .similar import similar_on_page

bp = Blueprint("patents", __name__)

PER_PAGE = 20


def _chosen_facets() -> dict[str, list[str]]:
    return {name: request.args.getlist(name)[:10] for name in FACET_FIELDS if request.args.getlist(name)}


def toggle_facet_url(name: str, value: str) -> str:
    """This search with a facet value added, or removed if it is chosen already; back to page 1."""
    args = request.args.to_dict(flat=False)
    chosen = args.get(name, [])
    args[name] = [v for v in chosen if v != value] if value in chosen else chosen + [value]
    args.pop("page", None)
    assert request.endpoint is not None, "a page's links are made while its view answers"
    return address_with_query(request.endpoint, request.view_args or {}, args)


def _citing_case() -> Case | None:
    """The case the searcher works for (`case` in the address, kept from page to page), if they may add to its
    report."""
    reference = request.args.get("case", "").strip()
    if not reference:
        return None
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    if case is None or not can(current_user, "report.edit", case):
        flash(_("Nothing can be added to the report of case %(reference)s: it cannot be changed by you now.",
                reference=reference), "warning")
        return None
    return case


def _case_context(search: SearchForm | None = None) -> dict:
    """The case the pages cite into: its citations, a cite form and (for a search run) the form recording it."""
    case = _citing_case()
    if case is None:
        return {"case": None, "cite_form": None, "cited": {}}
    return {"case": case, "cite_form": CiteForm(formdata=None), "cited": citations_in(case),
            "record_form": RecordSearchForm(formdata=None, q=search.q.data, mode=search.mode.data,
                                            next=request.full_path) if search else None}


def _run(form: SearchForm, page: int, per_page: int, facets: bool = True, highlight: bool = True):
    return search_by_mode(current_user, form.mode.data, form.q.data, sort=form.sort.data, chosen=_chosen_facets(),
                          page=page, per_page=per_page, facets=facets, highlight=highlight)


@bp.route("/patents/")
@login_required
@kept_while_unchanged(over_index=True)
def search():
    form = SearchForm(request.args)
    results = error = None
    if form.q.data and form.validate():
        try:
            results = _run(form, page_number(request.args), PER_PAGE)
        except QueryError as refusal:
            error = refusal
    status = 400 if error or form.errors else 200
    return render_template("patents/search.html", form=form, results=results, error=error,
                           toggle_facet_url=toggle_facet_url, export_limit=EXPORT_LIMIT,
                           **_case_context(form if results else None)), status


@bp.route("/patents/export.<file_format>")
@login_required
@limiter.limit(setting("EXPORT_RATE_LIMIT"), key_func=signed_in_user)
def export(file_format):
    if file_format not in ("csv", "xlsx"):
        abort(404)
    form = SearchForm(request.args)
    if not form.validate():
        field = next(field for field in form if field.errors)
        abort(400, description=_("%(field)s: %(problem)s", field=field.label.text, problem=field.errors[0]))
    if not form.q.data:
        abort(400, description=_("Give a query to export its results."))
    try:
        results = _run(form, 1, EXPORT_LIMIT, facets=False, highlight=False)  # a file has no highlights
    except QueryError as refusal:
        abort(400, description=refusal.message)
    record("patents.exported", "patents", after={"query": form.q.data, "format": file_format,
                                                 "records": len(results.hits)})
    return export_response(current_user, results.hits, file_format)


def _visible_patent_or_404(patent_id: int) -> Patent:
    patent = db.session.get(Patent, patent_id)
    if patent is None or not can(current_user, "patent.view", patent):
        abort(404)
    return patent


@bp.route("/patents/<int:patent_id>")
@login_required
@kept_while_unchanged(over_index=True)
def show(patent_id):
    patent = _visible_patent_or_404(patent_id)
    case = _citing_case()
    cases = citable_cases(current_user)
    if case is not None and case not in cases:
        cases.insert(0, case)
    complaints = complaints_enforcing(patent) if can(current_user, "patent.complaints") else []
    return render_template("patents/show.html", patent=patent, similar=similar_on_page(current_user, patent),
                           citations=citations_visible_to(current_user, patent), cases=cases, case=case,
                           cited=citations_in(case), cite_form=CiteForm(formdata=None) if cases else None,
                           complaints=complaints)


@bp.route("/patents/<int:patent_id>/similar")
@login_required
@kept_while_unchanged(over_index=True)
def similar(patent_id):
    patent = _visible_patent_or_404(patent_id)
    results = more_like(current_user, patent, chosen=_chosen_facets(), page=page_number(request.args),
                        per_page=PER_PAGE)
    return render_template("patents/search.html", form=SearchForm(), results=results, error=None, like=patent,
                           toggle_facet_url=toggle_facet_url, **_case_context())


@bp.route("/patents/help")
def query_help():
    return render_template("patents/help.html")
