"""Login, logout, password reset, invitations and the user's own account."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import login_manager
from ..security import local_path
from . import bp
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ProfileForm, ResetPasswordForm
from .operations import (
    INVITATION_PURPOSE, RESET_PURPOSE, authenticate, end_other_sessions, load_session_user,
    password_matches, request_password_reset, set_password, update_profile, user_from_token,
)

login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.user_loader(load_session_user)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login."""
    return local_path(target, url_for("main.home"))


def start_session(user) -> None:
    """A fresh session for this login: nothing from before carries over."""
    language = session.get("language")
    session.clear()
    login_user(user)
    session.permanent = True
    if language:
        session["language"] = language


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        current_app.logger.info("failed login for %s", form.email.data)
        form.password.errors.append(_("Wrong email or password, or the account is not active."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_other_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        flash(_("If an account uses that address, a reset link is on its way. It works once, for one hour."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _set_password_from_link(purpose: str, max_age_setting: str, template: str):
    user = user_from_token(request.view_args["token"], purpose, current_app.config[max_age_setting])
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        set_password(user, form.password.data)
        start_session(user)
        flash(_("Your password is set. Welcome, %(name)s.", name=user.display_name), "success")
        return redirect(url_for("main.home"))
    return render_template(template, form=form, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    return _set_password_from_link(RESET_PURPOSE, "PASSWORD_RESET_MAX_AGE", "accounts/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    return _set_password_from_link(INVITATION_PURPOSE, "INVITATION_MAX_AGE", "accounts/accept_invitation.html")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        update_profile(current_user, form.display_name.data, form.language.data)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        if password_matches(current_user, form.current_password.data):
            set_password(current_user, form.password.data)
            start_session(current_user._get_current_object())
            flash(_("Your password is changed; every other session has been logged out."), "success")
            return redirect(url_for("accounts.profile"))
        form.current_password.errors.append(_("The current password is wrong."))
    return render_template("accounts/change_password.html", form=form)
