"""The notification inbox."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import Notification
from .operations import mark_read, notification_target

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
