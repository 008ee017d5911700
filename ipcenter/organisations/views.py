"""Enterprise self-service: registration, the organisation page, invitations."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import InviteForm
from ..accounts.models import Role
from ..accounts.views import start_session
from ..i18n import current_language
from ..permissions import can, ensure
from . import bp
from .forms import OrganisationDetailsForm, RegistrationForm
from .operations import invite_colleague, register_enterprise, update_organisation_details


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        user = register_enterprise(form.data, form.display_name.data, form.email.data, form.password.data,
                                   current_language())
        start_session(user)
        flash(_("Your enterprise is registered and waits for the center to record it. "
                "You will be emailed when it is recorded."), "success")
        return redirect(url_for("organisations.my_organisation"))
    return render_template("organisations/register.html", form=form)


def _own_organisation():
    if current_user.role != Role.ENTERPRISE:
        abort(404)
    organisation = current_user.organisation
    ensure("organisation.view", organisation)
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
    invite_form = InviteForm(formdata=None, prefix="invite") if can(current_user, "organisation.invite", organisation) else None
    return render_template("organisations/my_organisation.html", organisation=organisation,
                           form=form, invite_form=invite_form)


@bp.route("/organisation/invite", methods=["POST"])
@login_required
def invite():
    organisation = _own_organisation()
    ensure("organisation.invite", organisation)
    invite_form = InviteForm(prefix="invite")
    if invite_form.validate_on_submit():
        user = invite_colleague(organisation, invite_form.email.data, invite_form.display_name.data, current_user)
        flash(_("An invitation has been emailed to %(email)s.", email=user.email), "success")
        return redirect(url_for("organisations.my_organisation"))
    form = OrganisationDetailsForm(formdata=None, obj=organisation)
    return render_template("organisations/my_organisation.html", organisation=organisation,
                           form=form, invite_form=invite_form), 400
