"""Pages for submitting, listing and working on cases."""
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..accounts.models import User
from ..audit.operations import record
from ..database import utcnow
from ..exports import FORMATS
from ..extensions import db, limiter
from ..i18n import localized_name, with_colon
from ..organisations.models import DemonstrationUnit, Post
from ..page_cache import kept_while_unchanged
from ..permissions import can, case_actors, ensure, requires
from ..saved_views.forms import SaveViewForm, save_view_form
from ..saved_views.models import SavedView
from ..saved_views.operations import ViewRefused, save_view
from ..saved_views.queries import default_view, finder_address, finder_query, named_view, shows_view, views_seen_by
from ..security import local_path
from ..submission_keys import sent_once
from ..throttling import setting, signed_in_user
from .attachments import UploadRefused, display_name, stored_path
from .exports import EXPORT_LIMIT, cases_export
from .forms import (
    ActionForm,
    AssignForm,
    BulkForm,
    DelegateForm,
    NoteForm,
    ProgressForm,
    SatisfactionForm,
    show_refusal_beside_field,
)
from .models import Attachment, Case
from .operations import (
    ASSIGN,
    ActionForbidden,
    CaseChanged,
    CaseRefused,
    act_on_cases,
    add_note,
    advance_case,
    assign_case,
    assignable_colleagues,
    available_transitions,
    bulk_actions,
    case_submitted_with,
    delegate_case,
    end_delegation,
    report_progress,
    submit_once,
)
from .queries import (
    CASE_PAGE,
    QUEUE_TABS,
    CaseFilters,
    center_cases,
    center_colleagues,
    center_scope,
    listed_cases,
    own_cases,
    own_scope,
    post_queue,
    queue_posts,
)
from .satisfaction import AlreadyAnswered, rate_case
from .signals import page_panels, replies
from .timeline import delegation_brief, enterprise_request, visible_events
from .workflow import CASE_TYPES, Actor

bp = Blueprint("cases", __name__)

REFUSAL_STATUS = ((CaseChanged, 409), (AlreadyAnswered, 409), (ActionForbidden, 403), (CaseRefused, 400),
                  (UploadRefused, 400))

# The token of the request form each user sent last, per type, for an hour: Back reloads the form
# (authenticated pages are never cached), and the reloaded form must carry the token already used,
# so that sending it again makes no second case.
SENT_FORMS = "sent_request_forms"
RESENT_WITHIN = timedelta(hours=1)


def case_or_404(reference: str, *loads) -> Case:
    """The case this user may see (404 otherwise), with what `loads` names loaded at once."""
    case = db.session.scalars(select(Case).where(Case.reference == reference).options(*loads)).unique().one_or_none()
    if case is None:
        abort(404)
    ensure("case.view", case)
    return case


def _version(form) -> int | None:
    return int(form.version.data) if (form.version.data or "").isdigit() else None


def _files(form) -> list:
    return [upload for upload in (form.files.data or []) if upload and upload.filename]


@bp.route("/cases/")
@login_required
@kept_while_unchanged()
def list_cases():
    if can(current_user, "center.workspace"):
        return redirect(url_for("cases.workspace"))
    filters = CaseFilters.from_args(request.args, default_sort="newest", default_state="all")
    return render_template("cases/list.html", page=own_cases(current_user, filters), filters=filters,
                           case_types=CASE_TYPES), 400 if filters.problems else 200


@bp.route("/cases/new")
@requires("case.submit")
def choose_type():
    return render_template("cases/choose_type.html", case_types=CASE_TYPES)


@bp.route("/cases/new/<type_code>", methods=["GET", "POST"])
@requires("case.submit")
def submit(type_code):
    if type_code not in CASE_TYPES:
        abort(404)
    case_type = CASE_TYPES[type_code]
    ensure("case.submit", type_code, reason=case_type.eligibility.refusal_for(current_user.organisation))
    form = case_type.request_form()
    sent = _reopened_form(form, type_code)
    if form.validate_on_submit():
        try:
            case, new = submit_once(current_user.organisation, current_user, type_code, form.case_details(),
                                    _files(form), form.submission_token.data)
        except (CaseRefused, UploadRefused) as refusal:
            if not show_refusal_beside_field(form, refusal):
                form.form_errors.append(str(refusal))
        else:
            return _submitted(case, new, type_code, form.submission_token.data)
    return render_template("cases/submit.html", form=form, case_type=case_type, sent=sent), \
        400 if form.errors or form.form_errors else 200


@bp.route("/cases/new/<type_code>/another", methods=["POST"])
@requires("case.submit")
def start_another(type_code):
    """After "already sent": the user really wants a second request of this type."""
    session.get(SENT_FORMS, {}).pop(type_code, None)
    session.modified = True
    return redirect(url_for("cases.submit", type_code=type_code))


def _reopened_form(form, type_code: str) -> Case | None:
    """The case this form already made, if the user sent it within the hour; the form then carries its token."""
    token = session.get(SENT_FORMS, {}).get(type_code)
    sent = case_submitted_with(current_user, token) if token else None
    if sent is None or sent.created_at < utcnow() - RESENT_WITHIN:
        return None
    if not form.is_submitted():
        form.submission_token.data = token
    return sent


def _submitted(case: Case, new: bool, type_code: str, token: str):
    session.setdefault(SENT_FORMS, {})[type_code] = token
    session.modified = True
    flash(_("Your request %(reference)s is submitted.", reference=case.reference) if new else
          _("This form was submitted already, as request %(reference)s; no second request was made.",
            reference=case.reference), "success" if new else "info")
    return redirect(url_for("cases.show", reference=case.reference))


def render_case(case: Case, status: int = 200, failed_action: str | None = None, error: str | None = None,
                failed_form=None):
    """The case page: stepper, deadline, the actions this user may take, the timeline.

    `failed_form` (a workflow action's, or "delegate", "note" or "progress") is shown open again, with
    what was typed and its errors beside the fields."""
    transitions = available_transitions(case, current_user)
    works = can(current_user, "case.work", case)
    forms = _case_forms(case, transitions, works)
    if failed_action in forms and failed_form is not None:
        forms[failed_action] = failed_form
    return render_template(
        "cases/show.html", case=case, transitions=transitions, action_forms=forms, failed_action=failed_action,
        error=error, events=visible_events(case, current_user), works=works, assign_form=forms.get("assign"),
        delegate_form=forms.get("delegate"), note_form=forms.get("note"), progress_form=forms.get("progress"),
        satisfaction_form=forms.get("satisfaction"),
        panels=replies(page_panels.send(case)), brief=delegation_brief(case, current_user),
        request_event=enterprise_request(case), for_enterprise=Actor.ENTERPRISE in case_actors(current_user, case),
    ), status


def _case_forms(case: Case, transitions, works: bool) -> dict:
    """Every form of the case page this user may use, empty, by action."""
    empty = ActionForm(formdata=None, version=case.version)  # every action's form starts the same
    forms = {t.action: empty for t in transitions}
    if works and case.is_open:
        forms["assign"] = AssignForm(formdata=None, version=case.version)
        forms["assign"].assignee.choices = _assignee_choices(case)
        forms["delegate"] = DelegateForm(formdata=None, version=case.version)
        forms["delegate"].unit.choices = _unit_choices()
    if can(current_user, "case.note", case):
        forms["note"] = NoteForm(formdata=None)
    if can(current_user, "case.report_progress", case):
        forms["progress"] = ProgressForm(formdata=None)
    if can(current_user, "case.rate", case) and case.satisfaction is None:
        forms["satisfaction"] = SatisfactionForm(formdata=None)
    return forms


def _form_errors(form) -> str:
    """The summary above the page: each error with its field's label."""
    return " ".join(f"{with_colon(form[name].label.text)}{error}" for name, errors in form.errors.items()
                    for error in errors)


def _assignee_choices(case: Case) -> list[SelectChoice]:
    return [SelectChoice(0, "—")] + [SelectChoice(u.id, u.display_name) for u in assignable_colleagues(case)]


def _unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(select(DemonstrationUnit).where(DemonstrationUnit.active.is_(True)))
    return sorted((SelectChoice(u.id, localized_name(u)) for u in units), key=lambda choice: choice.label)


def _refused(case: Case, refusal: Exception, action: str | None = None, form=None):
    """The case page again with the refusal in the summary and, when it is one field's fault, beside it."""
    status = next(code for kind, code in REFUSAL_STATUS if isinstance(refusal, kind))
    db.session.rollback()
    if form is not None:
        show_refusal_beside_field(form, refusal)
    return render_case(_with_page_loads(case), status, action, str(refusal), form)


def _respond(case: Case, operation, success, action: str | None = None, form=None) -> object:
    """Run an operation on the case: back to the case page with `success()` flashed, or the refusal shown."""
    try:
        operation()
    except (CaseRefused, UploadRefused) as refusal:
        return _refused(case, refusal, action, form)
    flash(success(), "success")
    return redirect(url_for("cases.show", reference=case.reference))


def _invalid(case: Case, action: str, form):
    return render_case(_with_page_loads(case), 400, action, _form_errors(form), form)


def _with_page_loads(case: Case) -> Case:
    """The case (again, after a rollback) with all its page shows loaded at once, as the page itself has it."""
    return db.session.scalars(select(Case).where(Case.id == case.id).options(*CASE_PAGE)).unique().one()


@bp.route("/cases/<reference>")
@login_required
@kept_while_unchanged()
def show(reference):
    return render_case(case_or_404(reference, *CASE_PAGE))


@bp.route("/cases/<reference>/actions/<action>", methods=["POST"])
@login_required
@sent_once
def act(reference, action):
    case = case_or_404(reference)
    form = ActionForm()
    if not form.validate_on_submit():
        return _invalid(case, action, form)
    try:
        advance_case(case, action, current_user, expected_version=_version(form), comment=form.comment.data,
                     reason=form.reason.data, application_number=form.application_number.data,
                     patent_number=form.patent_number.data, files=_files(form))
    except (CaseRefused, UploadRefused) as refusal:
        return _refused(case, refusal, action, form)  # the form stays open with what was typed
    flash(_("Done: %(stage)s.", stage=case.current_stage.name), "success")
    return redirect(url_for("cases.show", reference=case.reference))


@bp.route("/cases/<reference>/assign", methods=["POST"])
@login_required
def assign(reference):
    case = case_or_404(reference)
    ensure("case.work", case)
    form = AssignForm()
    form.assignee.choices = _assignee_choices(case)
    if request.form.get("claim"):
        form.assignee.data = current_user.id
    elif not form.validate_on_submit():
        return render_case(case, 400, error=_("Choose a colleague of the owning post."))
    assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
    return _respond(case, lambda: assign_case(case, assignee, current_user, expected_version=_version(form)),
                    lambda: _("The case is assigned to %(name)s.", name=assignee.display_name) if assignee
                    else _("The case is unassigned."))


@bp.route("/cases/<reference>/delegate", methods=["POST"])
@login_required
@sent_once
def delegate(reference):
    case = case_or_404(reference)
    ensure("case.work", case)
    form = DelegateForm()
    form.unit.choices = _unit_choices()
    if not form.validate_on_submit():
        return _invalid(case, "delegate", form)
    unit = db.session.get(DemonstrationUnit, form.unit.data)
    return _respond(case, lambda: delegate_case(case, unit, current_user, form.comment.data,
                                                expected_version=_version(form)),
                    lambda: _("The case is delegated to %(unit)s.", unit=localized_name(unit)), "delegate", form)


@bp.route("/cases/<reference>/delegation/end", methods=["POST"])
@login_required
def stop_delegation(reference):
    case = case_or_404(reference)
    ensure("case.work", case)
    return _respond(case, lambda: end_delegation(case, current_user), lambda: _("The delegation has ended."))


@bp.route("/cases/<reference>/notes", methods=["POST"])
@login_required
@sent_once
def note(reference):
    case = case_or_404(reference)
    ensure("case.note", case)
    form = NoteForm()
    if not form.validate_on_submit():
        return _invalid(case, "note", form)
    return _respond(case, lambda: add_note(case, current_user, form.comment.data, _files(form)),
                    lambda: _("The internal note is added."), "note", form)


@bp.route("/cases/<reference>/progress", methods=["POST"])
@login_required
@sent_once
def progress(reference):
    case = case_or_404(reference)
    ensure("case.report_progress", case)
    form = ProgressForm()
    if not form.validate_on_submit():
        return _invalid(case, "progress", form)
    return _respond(case, lambda: report_progress(case, current_user, form.percent.data, form.note.data,
                                                  _files(form)),
                    lambda: _("Your progress report is filed."), "progress", form)


@bp.route("/cases/<reference>/satisfaction")
@login_required
def satisfaction(reference):
    """The closing email's link: the question on the case page (after logging in, if need be)."""
    case = case_or_404(reference)
    return redirect(url_for("cases.show", reference=case.reference, _anchor="satisfaction"))


@bp.route("/cases/<reference>/satisfaction", methods=["POST"])
@login_required
@sent_once
def rate(reference):
    case = case_or_404(reference)
    form = SatisfactionForm()
    if not form.validate_on_submit():  # the summary without the label, which is the question itself
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return render_case(_with_page_loads(case), 400, "satisfaction", errors, form)
    try:
        rate_case(case, current_user, form.score.data, form.comment.data)
    except CaseRefused as refusal:
        return _refused(case, refusal, "satisfaction", form)
    flash(_("Thank you: your answer is sent to the center."), "success")
    return redirect(url_for("cases.show", reference=case.reference, _anchor="satisfaction"))


@bp.route("/cases/<reference>/attachments/<int:attachment_id>")
@login_required
def download(reference, attachment_id):
    case = case_or_404(reference)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    ensure("attachment.download", attachment)
    record("attachment.downloaded", "attachment", attachment.id,
           after={"case": case.reference, "name": attachment.original_name})
    # nosniff and no-store come with every download (security.add_security_headers)
    return send_file(stored_path(attachment), mimetype=attachment.content_type, as_attachment=True,
                     download_name=display_name(attachment.original_name), max_age=0)


@bp.route("/workspace/")
@requires("center.workspace")
@kept_while_unchanged()
def workspace():
    posts = queue_posts(current_user)
    chosen = next((p for p in posts if p.id == request.args.get("post", type=int)), None)
    tab = request.args.get("tab") if request.args.get("tab") in QUEUE_TABS else "unassigned"
    filters = CaseFilters.from_args(request.args)
    post_ids = [chosen.id] if chosen else [p.id for p in posts]
    page = post_queue(post_ids, tab, current_user, filters)
    return render_template("cases/workspace.html", page=page, filters=filters, posts=posts, chosen=chosen,
                           tab=tab, tabs=QUEUE_TABS, case_types=CASE_TYPES, bulk_form=_bulk_form(formdata=None),
                           views=views_seen_by(current_user), default_view=default_view(current_user))


@bp.route("/cases/bulk", methods=["POST"])
@requires("center.workspace")
def act_on_several():
    form = _bulk_form()
    back = local_path(form.next.data, url_for("cases.workspace"))
    if not form.validate_on_submit():
        flash(_form_errors(form), "danger")
        return redirect(back)
    assignee = db.session.get(User, form.assignee.data) if form.action.data == ASSIGN else None
    _flash_bulk(act_on_cases(form.case.data, form.action.data, current_user, assignee))
    return redirect(back)


def _bulk_form(**kwargs) -> BulkForm:
    """The form under a staff list that acts on its ticked cases, with its menus."""
    form = BulkForm(**kwargs)
    form.action.choices = list(bulk_actions().items())
    form.assignee.choices = [(0, "—")] + [(user.id, user.display_name) for user in center_colleagues()]
    return form


def _flash_bulk(outcome) -> None:
    if outcome.done:
        flash(ngettext("Done for %(num)d case: %(references)s.", "Done for %(num)d cases: %(references)s.",
                       len(outcome.done), references=", ".join(outcome.done)), "success")
    if outcome.refused:
        flash(ngettext("Not done for %(num)d case: %(reasons)s", "Not done for %(num)d cases: %(reasons)s",
                       len(outcome.refused), reasons="".join(f"\n{reference} — {why}"  # a line each
                                                             for reference, why in outcome.refused)), "warning")


@bp.route("/cases/find")
@requires("center.workspace")
@kept_while_unchanged()
def find_cases():
    default = default_view(current_user) if not request.args else None
    if default is not None:  # opened without a filter: the person's default view
        return redirect(finder_address(default))
    return render_finder()


@bp.route("/cases/find", methods=["POST"])
@requires("center.workspace")
@sent_once(by_fields=False)
def save_finder_view():
    """"Save this view": the filters of the finder's address under a name; the finder again with the form's errors."""
    form = save_view_form(current_user)
    if form.validate_on_submit():
        try:
            view = save_view(current_user, form.name.data, finder_query(request.args), form.shared_with.data or None,
                             form.make_default.data)
        except ViewRefused as refusal:
            form[refusal.field].errors.append(str(refusal))
        else:
            flash(_("The view “%(name)s” is saved.", name=view.name), "success")
            return redirect(finder_address(view))
    return render_finder(save_form=form, status=400)


def render_finder(save_form: SaveViewForm | None = None, status: int = 200):
    """The finder with the address's filters, the saved view they are (if the address names one), and the form
    that saves them (`save_form`: sent, with its errors)."""
    filters = CaseFilters.from_args(request.args, default_sort="newest", default_state="all")
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    chosen = next((post for post in posts if post.id == request.args.get("post", type=int)), None)
    page = center_cases(filters, chosen.id if chosen else None)
    return render_template("cases/find.html", page=page, filters=filters, posts=posts, chosen=chosen,
                           colleagues=center_colleagues(), case_types=CASE_TYPES, bulk_form=_bulk_form(formdata=None),
                           shown_view=_shown_view(), default_view=default_view(current_user),
                           save_form=save_form or save_view_form(current_user, formdata=None)), \
        400 if filters.problems else status


def _shown_view() -> SavedView | None:
    """The saved view the address names, while its filters are the view's; one this user may not use is refused
    (not found, to staff of other posts)."""
    view_id, view = named_view(request.args)
    if view_id and view is None:
        abort(404)
    if view is not None:
        ensure("saved_view.use", view)
    return view if view is not None and shows_view(view, request.args) else None


@bp.route("/cases/export.<file_format>")
@login_required
@limiter.limit(setting("EXPORT_RATE_LIMIT"), key_func=signed_in_user)
def export_cases(file_format):
    """The list the filters select, as the user sees it: the center's (the finder's), or its own."""
    if file_format not in FORMATS:
        abort(404)
    filters = CaseFilters.from_args(request.args, default_sort="newest", default_state="all")
    center = can(current_user, "center.workspace")
    scope = center_scope(request.args.get("post", type=int)) if center else own_scope(current_user)
    cases = listed_cases(scope, filters, EXPORT_LIMIT)
    record("cases.exported", "cases", after={"filters": request.args.to_dict(), "format": file_format,
                                             "cases": len(cases)})
    return cases_export(current_user, cases, file_format)


@bp.route("/help/workflow")
def workflow_help():
    post_names = {post.code: localized_name(post) for post in db.session.scalars(select(Post))}
    return render_template("cases/workflow_help.html", case_types=CASE_TYPES, post_names=post_names)
