"""The respondent's page (through its link, or its users' login), the files released to it, and the staff's panels
on a complaint's case page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from ..audit.operations import record
from ..cases.attachments import UploadRefused, display_name, stored_path
from ..cases.forms import show_refusal_beside_field
from ..cases.models import Attachment, Case
from ..cases.operations import ActionForbidden, CaseChanged
from ..cases.rules import CaseRefused
from ..cases.signals import page_panels
from ..cases.views import case_or_404
from ..extensions import db, limiter
from ..permissions import can, ensure, link_may_download
from ..submission_keys import sent_once
from ..throttling import client_address, form_refused, setting
from .forms import AnswerForm
from .models import RespondentLink
from .operations import (
    LinkExpired,
    LinkSpent,
    answer_as_respondent,
    answer_by_link,
    answer_deadline,
    latest_link,
    link_address,
    link_from_token,
    link_token,
    release_to_respondent,
    released_files,
    respondent_answer,
    respondent_step,
    start_validity_search,
    validity_search,
    withdraw_from_respondent,
)
from .queries import conflicts, enforced_patent

bp = Blueprint("complaints", __name__)

# How an answer refused is answered (a refusal naming a field is that field's: 400).
REFUSAL_STATUS = ((LinkExpired, 410), (LinkSpent, 409), (CaseChanged, 409), (ActionForbidden, 403),
                  (CaseRefused, 409), (UploadRefused, 400))
LINK_PAGES = {"complaints.respond_by_link", "complaints.link_file"}


@bp.after_request
def kept_by_no_cache(response):
    """A page opened by the respondent's link is addressed to one party: no browser or shared cache keeps it
    (a signed-in user's pages are never kept anyway: security.py)."""
    if request.endpoint in LINK_PAGES:
        response.headers["Cache-Control"] = "no-store"
    return response


def _files(form) -> list:
    return [upload for upload in (form.files.data or []) if upload and upload.filename]


def _link_or_404(token: str) -> RespondentLink:
    link = link_from_token(token)
    if link is None:
        abort(404)
    return link


def _link_key() -> str:
    return "respondent-link:" + (request.view_args or {}).get("token", "")


def _page_again():
    """The link's page as sent, with what was typed (a refused sending: too many)."""
    link = link_from_token((request.view_args or {}).get("token", ""))
    if link is None:
        return render_template("errors/generic.html", code=429, message="")
    return _link_page(link, AnswerForm())[0]


# The respondent's page -----------------------------------------------------------------------------------------

@bp.route("/respond/<token>", methods=["GET", "POST"])
@limiter.limit(setting("RESPONDENT_LINK_LIMIT"), key_func=_link_key, methods=["POST"],
               on_breach=form_refused(_page_again))
@limiter.limit(setting("RESPONDENT_ADDRESS_LIMIT"), key_func=client_address, methods=["POST"],
               on_breach=form_refused(_page_again))
@sent_once
def respond_by_link(token):
    """The notice addressed to the respondent, and its answer: the link is the authority, no login."""
    link = _link_or_404(token)
    return _answer_page(lambda form, *status: _link_page(link, form, *status),
                        lambda form: answer_by_link(link, form.comment.data, _files(form)),
                        url_for(".respond_by_link", token=token))


@bp.route("/complaints/<reference>/respond", methods=["GET", "POST"])
@login_required
@sent_once
def respond(reference):
    """The same page for a user of the registered respondent (and, to see it, for the center)."""
    case = _complaint_or_404(reference)
    return _answer_page(lambda form, *status: _notice_page(case, form, *status),
                        lambda form: answer_as_respondent(case, current_user, form.comment.data, _files(form)),
                        url_for(".respond", reference=reference), must=lambda: ensure("case.respondent", case))


def _answer_page(page, answer, done: str, must=lambda: None):
    """The notice and its answer form: shown; sent and checked (`must`: who may send it), then taken once; or
    shown again with the errors beside their fields."""
    form = AnswerForm()
    if not form.is_submitted():
        return page(form)
    must()
    if not form.validate_on_submit():
        return page(form, 400)
    refusal = _answered(lambda: answer(form), form)
    if refusal is None:
        flash(_("Your answer is sent: the center has received it."), "success")
        return redirect(done)
    return page(form, _status(refusal), _unplaced(refusal))


def _complaint_or_404(reference: str) -> Case:
    case = db.session.scalar(select(Case).where(Case.reference == reference))
    if case is None:
        abort(404)
    ensure("complaint.respondent_page", case)
    return case


def _answered(answer, form) -> Exception | None:
    """Send the answer; the refusal, shown beside its field (the work rolled back), if it is refused."""
    try:
        answer()
    except (CaseRefused, UploadRefused) as refusal:
        db.session.rollback()  # and the files written for it
        show_refusal_beside_field(form, refusal)
        return refusal
    return None


def _status(refusal: Exception) -> int:
    if getattr(refusal, "field", None):
        return 400
    return next(code for kind, code in REFUSAL_STATUS if isinstance(refusal, kind))


def _unplaced(refusal: Exception) -> str | None:
    """A refusal no field of the form is at fault for, for the top of the page."""
    return None if getattr(refusal, "field", None) else str(refusal)


def _link_page(link: RespondentLink, form, status: int = 200, error: str | None = None):
    """The page the link opens: the notice (and the form while the case waits for the answer); once the link is
    spent, when the answer came; once it has expired, that the time is over and whom to ask."""
    if link.used_at is not None:
        return render_template("complaints/link_used.html", link=link, case=link.case), \
            409 if request.method == "POST" else 200
    if link.expired:
        return render_template("complaints/link_expired.html", link=link, case=link.case), 410
    return _notice_page(link.case, form, status, error, link=link)


def _notice_page(case: Case, form, status: int = 200, error: str | None = None, link=None):
    step = respondent_step(case)
    preview = link is None and not can(current_user, "case.respondent", case)
    return render_template(
        "complaints/respond.html", case=case, link=link, token=link_token(link) if link else None,
        form=form if step and not preview else None, files=released_files(case), answer=respondent_answer(case),
        deadline=answer_deadline(case) if step else None, preview=preview, error=error), status


# Files released to the respondent ------------------------------------------------------------------------------

@bp.route("/respond/<token>/files/<int:attachment_id>")
def link_file(token, attachment_id):
    link = _link_or_404(token)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not link_may_download(link, attachment):
        abort(404)
    return _sent(attachment, link.case, through="link")


@bp.route("/complaints/<reference>/respond/files/<int:attachment_id>")
@login_required
def respondent_file(reference, attachment_id):
    case = _complaint_or_404(reference)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    ensure("attachment.released", attachment)
    return _sent(attachment, case, through="respondent page")


def _sent(attachment: Attachment, case: Case, through: str):
    record("attachment.downloaded", "attachment", attachment.id,
           after={"case": case.reference, "name": attachment.original_name, "through": through})
    return send_file(stored_path(attachment), mimetype=attachment.content_type, as_attachment=True,
                     download_name=display_name(attachment.original_name), max_age=0)


@bp.route("/complaints/<reference>/released/<int:attachment_id>", methods=["POST"])
@login_required
def release(reference, attachment_id):
    case, attachment = _file_of(reference, attachment_id)
    release_to_respondent(case, attachment, current_user)
    flash(_("“%(name)s” is released to the respondent.", name=attachment.original_name), "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="respondent-panel"))


@bp.route("/complaints/<reference>/released/<int:attachment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(reference, attachment_id):
    case, attachment = _file_of(reference, attachment_id)
    withdraw_from_respondent(case, attachment, current_user)
    flash(_("“%(name)s” is no longer released to the respondent.", name=attachment.original_name), "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="respondent-panel"))


def _file_of(reference: str, attachment_id: int) -> tuple[Case, Attachment]:
    case = case_or_404(reference)
    ensure("complaint.respondent_side", case)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    return case, attachment


@bp.route("/complaints/<reference>/validity-search", methods=["POST"])
@login_required
def start_search(reference):
    case = case_or_404(reference)
    ensure("complaint.start_search", case)
    try:
        search = start_validity_search(case, current_user)
    except CaseRefused as refusal:
        abort(409, description=str(refusal))
    flash(_("The prior-art search %(reference)s is started for the complainant, linked to this complaint.",
            reference=search.reference), "success")
    return redirect(url_for("cases.show", reference=search.reference))


# The case page's panels ------------------------------------------------------------------------------------------

@page_panels.connect
def conflict_panel(case: Case) -> Markup | None:
    """Staff: the complaint's parties' other open cases with the center, both being its clients."""
    if not can(current_user, "complaint.conflicts", case):
        return None
    found = conflicts(case)
    return Markup(render_template("complaints/_conflicts.html", case=case, conflicts=found)) if found else None


@page_panels.connect
def respondent_panel(case: Case) -> Markup | None:
    """The post working the complaint: the respondent's link to send, and the files released to it."""
    if not can(current_user, "complaint.respondent_side", case):
        return None
    link = latest_link(case)
    return Markup(render_template(
        "complaints/_respondent_panel.html", case=case, link=link, address=link_address(link) if link else None,
        released={attachment.id for attachment in released_files(case)},
        files=[attachment for event in case.events for attachment in event.attachments]))


@page_panels.connect
def linked_case_panel(case: Case) -> Markup | None:
    """The cases linked to this one (a complaint's prior-art search; the complaint a search was started from), for
    whoever may read them; on a complaint, the staff's button that starts the search, and the enforced patent."""
    linked = [other for other in ([case.linked_case] if case.linked_case_id else []) + case.started_cases
              if other is not None and can(current_user, "case.view", other)]
    may_start = case.is_open and can(current_user, "complaint.start_search", case) and validity_search(case) is None
    patent = enforced_patent(case) if case.workflow.respondent_stages and can(current_user, "patent.complaints") \
        else None
    if not (linked or may_start or patent):
        return None
    return Markup(render_template("complaints/_linked_case.html", case=case, linked=linked, may_start=may_start,
                                  patent=patent))
