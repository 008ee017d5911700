"""The notification inbox, and how each user hears of what happens."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .digest import next_digest_time
from .forms import delivery_form
from .models import Delivery, Notification, groups_heard_by
from .operations import choose_deliveries, delivery_choices, mark_read, notification_target

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 50


@bp.route("/")
@login_required
def inbox():
    query = (select(Notification).where(Notification.user_id == current_user.id)
             .order_by(Notification.id.desc()).limit(PAGE_SIZE)
             .options(selectinload(Notification.case), selectinload(Notification.actor),
                      selectinload(Notification.event)))
    return render_template("notifications/inbox.html", notifications=list(db.session.scalars(query)))


@bp.route("/read", methods=["POST"])
@login_required
def read():
    ids = [int(value) for value in request.form.getlist("id") if value.isdigit()]
    mark_read(current_user, ids or None)
    return redirect(url_for("notifications.inbox"))


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_case(notification_id):
    notification = db.first_or_404(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == current_user.id))
    mark_read(current_user, [notification.id])
    return redirect(url_for(**notification_target(notification)))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    chosen = delivery_choices(current_user)
    form = delivery_form(groups_heard_by(current_user.role), chosen)
    if form.validate_on_submit():
        choose_deliveries(current_user, form.choices())
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    digested = Delivery.DIGEST in chosen.values()  # as saved: the time of a digest this user will get
    next_digest = next_digest_time() if digested else None
    page = render_template("notifications/settings.html", form=form, next_digest=next_digest)
    return page, 400 if form.is_submitted() else 200
