"""Managers' pages: enterprises (record, reject, suspend), units and posts."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.forms import InviteForm
from ..accounts.models import Role, User
from ..extensions import db
from ..list_filters import filtered_list
from ..permissions import requires
from ..submission_keys import sent_once
from .forms import PostForm, ReviewForm, UnitForm
from .models import DemonstrationUnit, Organisation, OrganisationStatus, Post, ReviewAction
from .operations import (
    ReviewRefused,
    add_unit_reporter,
    allowed_reviews,
    registrations_with_same_credit_code,
    review_organisation,
    save_post,
    save_unit,
)

bp = Blueprint("organisations_admin", __name__, url_prefix="/admin")

@bp.route("/organisations/")
@requires("admin.organisations")
def list_organisations():
    query = select(Organisation).order_by(Organisation.created_at.desc(), Organisation.id.desc())
    listing = filtered_list(query, Organisation.status, OrganisationStatus, "status",
                            (Organisation.name_zh, Organisation.name_en, Organisation.credit_code))
    return render_template("admin/organisations.html", listing=listing)


@bp.route("/organisations/<int:organisation_id>")
@requires("admin.organisations")
def show_organisation(organisation_id):
    return _review_page(db.get_or_404(Organisation, organisation_id), ReviewForm())


def _review_page(organisation, form):
    return render_template("admin/organisation.html", organisation=organisation, form=form,
                           actions=allowed_reviews(organisation),
                           same_credit_code=registrations_with_same_credit_code(organisation))


@bp.route("/organisations/<int:organisation_id>/review/<action>", methods=["POST"])
@requires("organisation.review")
def review(organisation_id, action):
    organisation = db.get_or_404(Organisation, organisation_id)
    if action.upper() not in ReviewAction.__members__:
        return render_template("errors/generic.html", code=400, message=_("Unknown decision.")), 400
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review_organisation(organisation, ReviewAction[action.upper()], current_user, form.reason.data)
        except ReviewRefused as refusal:
            form.reason.errors.append(str(refusal))
        else:
            flash(_("%(name)s is now: %(status)s.", name=organisation.name_zh, status=organisation.status.label),
                  "success")
            return redirect(url_for("organisations_admin.show_organisation", organisation_id=organisation.id))
    return _review_page(organisation, form), 400


@bp.route("/units/")
@requires("admin.units")
def list_units():
    units = db.session.scalars(select(DemonstrationUnit).order_by(DemonstrationUnit.name_zh))
    return render_template("admin/units.html", units=units)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@requires("admin.units")
@sent_once
def edit_unit(unit_id=None):
    unit = db.get_or_404(DemonstrationUnit, unit_id) if unit_id else None
    form = UnitForm(unit=unit)
    if form.validate_on_submit():
        unit = save_unit(unit, form.data)
        flash(_("The unit %(name)s is saved.", name=unit.name_zh), "success")
        return redirect(url_for("organisations_admin.edit_unit", unit_id=unit.id))
    reporter_form = InviteForm(formdata=None, prefix="invite") if unit else None
    return render_template("admin/unit_form.html", form=form, unit=unit, reporter_form=reporter_form)


@bp.route("/units/<int:unit_id>/reporters", methods=["POST"])
@requires("admin.units")
@sent_once
def add_reporter(unit_id):
    unit = db.get_or_404(DemonstrationUnit, unit_id)
    reporter_form = InviteForm(prefix="invite")
    if reporter_form.validate_on_submit():
        user = add_unit_reporter(unit, reporter_form.email.data, reporter_form.display_name.data, current_user)
        flash(_("An invitation has been emailed to %(email)s.", email=user.email), "success")
        return redirect(url_for("organisations_admin.edit_unit", unit_id=unit.id))
    return render_template("admin/unit_form.html", form=UnitForm(formdata=None, unit=unit), unit=unit,
                           reporter_form=reporter_form), 400


@bp.route("/posts/")
@requires("admin.posts")
def list_posts():
    posts = db.session.scalars(select(Post).order_by(Post.id))
    return render_template("admin/posts.html", posts=posts)


def _center_accounts():
    return list(db.session.scalars(
        select(User).where(User.role.in_([Role.STAFF, Role.MANAGER])).order_by(User.display_name)))


@bp.route("/posts/new", methods=["GET", "POST"])
@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
@requires("admin.posts")
@sent_once
def edit_post(post_id=None):
    post = db.get_or_404(Post, post_id) if post_id else None
    staff = _center_accounts()
    form = PostForm(post=post, member_choices=[(user.id, f"{user.display_name} <{user.email}>") for user in staff])
    if request.method == "GET" and post:
        form.members.data = [user.id for user in post.members]
    if form.validate_on_submit():
        chosen = set(form.members.data)
        post = save_post(post, form.data, [user for user in staff if user.id in chosen])
        flash(_("The post %(name)s is saved.", name=post.name_zh), "success")
        return redirect(url_for("organisations_admin.list_posts"))
    return render_template("admin/post_form.html", form=form, post=post)
