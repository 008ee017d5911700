"""Managers' pages for center accounts: list, create, edit, deactivate."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..list_filters import filtered_list
from ..organisations.models import Post
from ..permissions import can, requires
from ..submission_keys import sent_once
from .forms import StaffUserForm
from .models import Role, User
from .operations import AccountRefused, create_user, set_user_active, update_staff_user

bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")

def _post_choices():
    posts = db.session.scalars(select(Post).order_by(Post.id))
    return [(post.id, post.name_zh + " / " + post.name_en) for post in posts]


def _posts_by_id(ids):
    return list(db.session.scalars(select(Post).where(Post.id.in_(ids)))) if ids else []


@bp.route("/")
@requires("admin.users")
def list_users():
    query = (select(User).order_by(User.role, User.display_name)
             .options(selectinload(User.organisation), selectinload(User.unit), selectinload(User.posts)))
    listing = filtered_list(query, User.role, Role, "role", (User.email, User.display_name))
    return render_template("admin/users.html", listing=listing)


@bp.route("/new", methods=["GET", "POST"])
@requires("admin.users")
@sent_once
def create():
    form = StaffUserForm(post_choices=_post_choices())
    if form.validate_on_submit():
        user = create_user(form.email.data, form.display_name.data, Role(form.role.data),
                           posts=_posts_by_id(form.posts.data), invited_by=current_user)
        flash(_("%(name)s is created and has been emailed a link to set a password.", name=user.display_name),
              "success")
        return redirect(url_for("users_admin.list_users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires("admin.users")
def edit(user_id):
    user = db.get_or_404(User, user_id)
    if not can(current_user, "user.edit", user):
        abort(404)  # an enterprise's or a unit's account is not kept here
    form = StaffUserForm(obj=user, post_choices=_post_choices(), editing=user)
    if request.method == "GET":
        form.posts.data = [post.id for post in user.posts]
    if form.validate_on_submit():
        try:
            update_staff_user(user, form.display_name.data, Role(form.role.data), _posts_by_id(form.posts.data),
                              actor=current_user)
        except AccountRefused as refusal:
            form.role.errors.append(str(refusal))
        else:
            flash(_("%(name)s is saved.", name=user.display_name), "success")
            return redirect(url_for("users_admin.list_users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/<int:user_id>/active", methods=["POST"])
@requires("admin.users")
def toggle_active(user_id):
    user = db.get_or_404(User, user_id)
    try:
        set_user_active(user, not user.active, actor=current_user)
    except AccountRefused as refusal:
        flash(str(refusal), "danger")
    else:
        message = _("%(name)s can log in again.") if user.active else _("%(name)s can no longer log in.")
        flash(message % {"name": user.display_name}, "success")
    return redirect(url_for("users_admin.list_users"))
