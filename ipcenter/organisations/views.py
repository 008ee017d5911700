"""Enterprise self-service: registration, the organisation page, invitations; an enterprise's case history."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import InviteForm
from ..audit.operations import record
from ..cases.exports import history_export
from ..cases.timeline import organisation_history
from ..exports import FORMATS
from ..extensions import db, limiter
from ..i18n import current_language
from ..permissions import can, ensure
from ..submission_keys import sent_once
from ..throttling import client_address, form_refused, own_organisation, redirected, setting, signed_in_user
from .forms import OrganisationDetailsForm, RegistrationForm
from .models import Organisation
from .operations import invite_colleague, register_enterprise, update_organisation_details

bp = Blueprint("organisations", __name__)


def _registration_page(form=None):
    return render_template("organisations/register.html", form=form or RegistrationForm())


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(setting("REGISTRATION_LIMIT"), key_func=client_address, methods=["POST"], deduct_when=redirected,
               on_breach=form_refused(_registration_page))
@sent_once
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        register_enterprise(form.data, form.display_name.data, form.email.data, form.password.data,
                            current_language())
        # The same answer whether or not the email already had an account.
        flash(_("Almost done: we have emailed a link to %(email)s. Open it to confirm the address, then log in. "
                "The center records your enterprise after checking its details.", email=form.email.data), "success")
        return redirect(url_for("accounts.login"))
    return _registration_page(form)


def _own_organisation():
    organisation = current_user.organisation
    if not can(current_user, "organisation.edit", organisation):
        abort(404)  # a center or unit account has no enterprise page to find
    return organisation


@bp.route("/organisation", methods=["GET", "POST"])
@login_required
def my_organisation():
    organisation = _own_organisation()
    form = OrganisationDetailsForm(obj=organisation)
    if form.validate_on_submit():
        update_organisation_details(organisation, form.data)
        flash(_("The enterprise details are saved."), "success")
        return redirect(url_for("organisations.my_organisation"))
    return _organisation_page(organisation, form, InviteForm(formdata=None, prefix="invite"))


def _organisation_page(organisation, form=None, invite_form=None):
    """The enterprise's page; the invitation form only for those who may invite."""
    form = form or OrganisationDetailsForm(formdata=None, obj=organisation)
    if not can(current_user, "organisation.invite", organisation):
        invite_form = None
    return render_template("organisations/my_organisation.html", organisation=organisation,
                           form=form, invite_form=invite_form)


@bp.route("/organisation/invite", methods=["POST"])
@login_required
@limiter.limit(setting("INVITATION_LIMIT"), key_func=own_organisation, deduct_when=redirected,
               on_breach=form_refused(lambda: _organisation_page(current_user.organisation,
                                                                 invite_form=InviteForm(prefix="invite"))))
@sent_once
def invite():
    organisation = _own_organisation()
    ensure("organisation.invite", organisation)
    invite_form = InviteForm(prefix="invite")
    if invite_form.validate_on_submit():
        user = invite_colleague(organisation, invite_form.email.data, invite_form.display_name.data, current_user)
        flash(_("An invitation has been emailed to %(email)s.", email=user.email), "success")
        return redirect(url_for("organisations.my_organisation"))
    return _organisation_page(organisation, invite_form=invite_form), 400


@bp.route("/organisations/<int:organisation_id>/history.<file_format>")
@login_required
@limiter.limit(setting("EXPORT_RATE_LIMIT"), key_func=signed_in_user)
def case_history(organisation_id, file_format):
    """Every timeline entry of the enterprise's cases, for the managers and for the enterprise itself (which reads
    what its case pages show it)."""
    if file_format not in FORMATS:
        abort(404)
    organisation = db.get_or_404(Organisation, organisation_id)
    ensure("organisation.history", organisation)
    events = organisation_history(current_user, organisation)
    record("organisation.history_exported", "organisation", organisation.id,
           after={"format": file_format, "entries": len(events), "cases": len({event.case_id for event in events})})
    return history_export(current_user, organisation, events, file_format)
