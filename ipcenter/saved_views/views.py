"""A saved view's page (rename, delete); choosing one's default view. (The finder saves its filters as a view.)"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..permissions import ensure, requires
from ..security import local_path
from .forms import RenameViewForm
from .models import SavedView
from .operations import ViewRefused, delete_view, rename_view, set_default
from .queries import default_view, finder_address

bp = Blueprint("saved_views", __name__, url_prefix="/cases/views")


def _usable(view_id: int) -> SavedView:
    """The view, if this user may use it (otherwise not found, or refused to a manager)."""
    view = db.get_or_404(SavedView, view_id)
    ensure("saved_view.use", view)
    return view


def _back() -> str:
    return local_path(request.form.get("next"), url_for("cases.workspace"))


@bp.route("/<int:view_id>")
@requires("center.workspace")
def show(view_id):
    view = _usable(view_id)
    return _view_page(view, RenameViewForm(formdata=None, name=view.name))


def _view_page(view: SavedView, form: RenameViewForm, status: int = 200):
    return render_template("saved_views/view.html", view=view, form=form, address=finder_address(view),
                           is_default=default_view(current_user) == view), status


@bp.route("/<int:view_id>/rename", methods=["POST"])
@requires("center.workspace")
def rename(view_id):
    view = _usable(view_id)
    ensure("saved_view.rename", view)
    form = RenameViewForm()
    if form.validate_on_submit():
        try:
            rename_view(view, form.name.data)
        except ViewRefused as refusal:
            form.name.errors.append(str(refusal))
        else:
            flash(_("The view is renamed “%(name)s”.", name=view.name), "success")
            return redirect(url_for("saved_views.show", view_id=view.id))
    return _view_page(view, form, 400)


@bp.route("/<int:view_id>/delete", methods=["POST"])
@requires("center.workspace")
def delete(view_id):
    view = _usable(view_id)
    ensure("saved_view.delete", view)
    name = view.name
    delete_view(view)
    flash(_("The view “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("cases.workspace"))


@bp.route("/<int:view_id>/default", methods=["POST"])
@requires("center.workspace")
def make_default(view_id):
    view = _usable(view_id)
    set_default(current_user, view)
    flash(_("“Find a case” now opens with the view “%(name)s”.", name=view.name), "success")
    return redirect(_back())


@bp.route("/default/clear", methods=["POST"])
@requires("center.workspace")
def clear_default():
    set_default(current_user, None)
    flash(_("“Find a case” now opens with every case."), "success")
    return redirect(_back())
