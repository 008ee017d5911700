"""Login, logout, password reset, invitations and the user's own account."""
import logging

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import login_manager
from ..security import local_path
from ..throttling import forget_login_failures, form_refused, login_failed, per_account_and_address, redirected
from .forms import (
    ChangePasswordForm,
    ConfirmationRequestForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from .operations import (
    CONFIRMATION_PURPOSE,
    INVITATION_PURPOSE,
    RESET_PURPOSE,
    authenticate,
    change_own_password,
    confirm_email,
    load_session_user,
    log_out,
    request_email_confirmation,
    request_password_reset,
    set_password_from_link,
    update_profile,
    user_from_token,
)

bp = Blueprint("accounts", __name__)

# Every login attempt, with the account and the address; gunicorn's error log shows it (LOG_LEVEL).
login_log = logging.getLogger("ipcenter.login")

login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.user_loader(load_session_user)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login."""
    return local_path(target, url_for("main.home"))


def start_session(user, chosen_language: str | None = None) -> None:
    """A fresh session for this login: nothing from before carries over. `chosen_language`: the language picked
    on the login page, the user's latest word on it, which becomes their preference (and their mail's)."""
    session.clear()
    login_user(user)
    session.permanent = True
    if chosen_language:
        user.language = chosen_language


def _login_page(form=None, unconfirmed=None):
    resend_form = ConfirmationRequestForm(email=unconfirmed) if unconfirmed else None
    return render_template("accounts/login.html", form=form or LoginForm(), resend_form=resend_form)


@bp.route("/login", methods=["GET", "POST"])
@per_account_and_address("LOGIN_ACCOUNT_LIMIT", "LOGIN_ADDRESS_LIMIT", deduct_when=login_failed,  # failures only
                         on_breach=form_refused(_login_page))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form)
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        g.login_failed = True
        login_log.warning("login failed: account=%s address=%s", form.email.data, request.remote_addr)
        form.password.errors.append(_("Wrong email or password, or the account is not active."))
        return _login_page(form)
    if not user.email_verified:
        login_log.info("login refused, email unconfirmed: account=%s address=%s", user.email, request.remote_addr)
        form.email.errors.append(_("Confirm your email address first: open the link we emailed to it."))
        return _login_page(form, unconfirmed=user.email)
    login_log.info("login: account=%s address=%s", user.email, request.remote_addr)
    forget_login_failures()
    start_session(user, session.get("language"))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    log_out(current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


def _forgot_password_page(form=None):
    return render_template("accounts/forgot_password.html", form=form or ForgotPasswordForm())


@bp.route("/password/forgot", methods=["GET", "POST"])
@per_account_and_address("PASSWORD_RESET_LIMIT", "PASSWORD_RESET_LIMIT", deduct_when=redirected,
                         on_breach=form_refused(_forgot_password_page))
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        flash(_("If an account uses that address, a reset link is on its way. It works once, for one hour."), "info")
        return redirect(url_for("accounts.login"))
    return _forgot_password_page(form)


@bp.route("/email/confirm", methods=["POST"])
@per_account_and_address("PASSWORD_RESET_LIMIT", "PASSWORD_RESET_LIMIT", deduct_when=redirected,
                         on_breach=form_refused(_login_page))
def resend_confirmation():
    form = ConfirmationRequestForm()
    if form.validate_on_submit():
        request_email_confirmation(form.email.data)
    flash(_("If that address still awaits confirmation, a new link is on its way."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/email/confirm/<token>")
def confirm_email_link(token):
    user = user_from_token(token, CONFIRMATION_PURPOSE, current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    confirm_email(user)
    flash(_("Thank you: %(email)s is confirmed. You can log in now.", email=user.email), "success")
    return redirect(url_for("accounts.login"))


def _set_password_from_link(token: str, purpose: str, max_age_setting: str, template: str):
    user = user_from_token(token, purpose, current_app.config[max_age_setting])
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        set_password_from_link(user, form.password.data, purpose)
        start_session(user)
        flash(_("Your password is set. Welcome, %(name)s.", name=user.display_name), "success")
        return redirect(url_for("main.home"))
    return render_template(template, form=form, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    return _set_password_from_link(token, RESET_PURPOSE, "PASSWORD_RESET_MAX_AGE", "accounts/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    return _set_password_from_link(token, INVITATION_PURPOSE, "INVITATION_MAX_AGE", "accounts/accept_invitation.html")


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
        if change_own_password(current_user, form.current_password.data, form.password.data):
            start_session(current_user._get_current_object())
            flash(_("Your password is changed; every other session has been logged out."), "success")
            return redirect(url_for("accounts.profile"))
        form.current_password.errors.append(_("The current password is wrong."))
    return render_template("accounts/change_password.html", form=form)
