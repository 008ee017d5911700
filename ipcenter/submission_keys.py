"""One-time submission keys for the forms that add something (a note, an account, a unit, a registration).

A POST whose commit succeeded but whose answer never reached the browser (a worker killed between
the two, a dropped connection) is sent again with the same key by the retry: it is answered with the
page the first sending led to, and nothing is added twice. A view marked `sent_once` follows the
center's Post/Redirect/Get rule: its answer is a redirect exactly when the form's work was done, and
then the key is used up in the same transaction as the work. Of two sendings at once the database's
unique key lets one commit; the other is rolled back and answered as a retry. Request forms have their
own key on the case (`Case.submission_token`).

The key alone does not catch Back and submit again. Back fetches the form's page anew (a signed-in
user's pages are `no-store`; a visitor's vary with the session cookie, which the sending changed), so
the page comes with a fresh key, while Chromium fills it with what was typed before: text, choices and
boxes, but not hidden inputs, passwords or files. So each sending also leaves a fingerprint of what was
sent: an HMAC over the sender (the user, or a visitor's random id in the session), the address posted
to, the fields the user filled in and the case version the form was shown with (a case that moved on
since is a new round: the same words sent to it are a new answer); not the CSRF token or the key, not
passwords (never restored, and never to be kept) and not files. A sending whose fingerprint the same
sender left within SUBMISSION_RESENT_MINUTES is answered as a retry before the view runs, so a
registration sent again without its password is recognised before the form could complain of it; but
a sending that carries files never is (a browser never fills files in again: it is a new sending, and
takes the fingerprint over). The trade-off, accepted: whoever really means to send the very same text,
without a file, to the same place twice within that time is told that it was sent already, and can
change a word. Fingerprints are kept in the keys' table as keys of their own (with the same lifetime),
so that the unique key settles two identical sendings at once as it settles a retry.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime, timedelta
from functools import partial, wraps

from flask import current_app, flash, redirect, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField, PasswordField
from wtforms.fields.core import UnboundField
from wtforms.validators import Optional as OptionalField
from wtforms.validators import Regexp

from .database import UTCDateTime, rowcount, utcnow
from .extensions import Model, db
from .mail import discard_queued_mail
from .page_cache import fresh_for_each_showing

KEY_PATTERN = r"^[A-Za-z0-9_-]{43}$"
REDIRECTS = (301, 302, 303, 307, 308)
UNSEEN_FIELDS = ("csrf_token", "submission_key")  # written by the page for each showing (any prefix)
# Keyed forms' password fields, found by their type (KeyedForm.__init_subclass__): a confirmation is "confirm".
PASSWORD_FIELDS: set[str] = set()
VISITOR = "sender"  # the session's name for a visitor's random id


class UsedSubmissionKey(Model):
    """A key already used, or the fingerprint of what a form sent, by whom (nobody for a visitor's
    registration), and where its form led."""

    __tablename__ = "used_submission_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(String(500))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def new_submission_key() -> str:
    return secrets.token_urlsafe(32)


def page_submission_key() -> str:
    """A fresh key for a form on a page, new again each time a kept page is shown (page_cache)."""
    return fresh_for_each_showing(new_submission_key)


class KeyedForm(FlaskForm):
    """A form that adds something: it carries a fresh key when shown, and the same key when sent again.

    Where the same form edits what it made (`edits`: a unit, a post, an account) it carries no key. An edit
    sent twice sets the same values twice; and a fingerprint would refuse a change that was made, undone and
    made again within the hour."""

    # Optional: a page opened before the key existed (an upgrade while it was open) is still taken, once.
    # Hidden fields are given a label: WTForms translates the name of a field without one, and the first
    # translation of a request makes Flask-WTF read its catalogue from disk (on every page with the form).
    submission_key = HiddenField("submission_key", validators=[OptionalField(), Regexp(KEY_PATTERN, message=_l(
        "This form was not opened from the center's site, or has expired: check it and submit it again."))])

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        PASSWORD_FIELDS.update(name for name, field in vars(cls).items()
                               if isinstance(field, UnboundField) and issubclass(field.field_class, PasswordField))

    def __init__(self, *args, edits: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if edits:
            self.submission_key.data = ""
        elif kwargs.get("formdata", True) is None or not self.is_submitted():
            self.submission_key.data = page_submission_key()


def _sender_id(user) -> int | None:
    return user.id if user.is_authenticated else None


def earlier_location(key: str, user, since: datetime | None = None) -> str | None:
    """Where the form sent with `key` (used since `since`) led, if this user (or, for a visitor, a visitor)
    has sent it before."""
    sender = _sender_id(user)
    query = select(UsedSubmissionKey.location).where(
        UsedSubmissionKey.key == key,
        UsedSubmissionKey.user_id == sender if sender is not None else UsedSubmissionKey.user_id.is_(None))
    return db.session.scalar(query if since is None else query.where(UsedSubmissionKey.used_at >= since))


def _resent_since() -> datetime:
    return utcnow() - timedelta(minutes=current_app.config["SUBMISSION_RESENT_MINUTES"])


def resent_location(fingerprint: str, user) -> str | None:
    """Where the same fields sent lately by this sender led (Back, then submit again)."""
    return earlier_location(fingerprint, user, since=_resent_since())


def _sender(user) -> str:
    """Who sends: the user, or a visitor known by a random id kept in the session from its first sending."""
    if user.is_authenticated:
        return f"user {user.id}"
    return "visitor " + session.setdefault(VISITOR, secrets.token_urlsafe(16))


def _typed(name: str) -> bool:
    """A field the user filled in and the browser fills in again after Back (a password it never does)."""
    name = name.rpartition("-")[2]
    return name not in UNSEEN_FIELDS and name not in PASSWORD_FIELDS


def fingerprint(user) -> str:
    """What this POST sends, as one key: the sender, the address and the typed fields (files are not in
    `request.form`). Signed with the app's secret, so that nobody can forge another sender's."""
    fields = sorted((name, values) for name, values in request.form.lists() if _typed(name))
    sent = json.dumps([_sender(user), request.path, fields], ensure_ascii=False)
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), sent.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _use_up(key: str, sent: str | None, user, location: str) -> str | None:
    """Record `key` and the fingerprint `sent` (if any) as leading to `location`; None if this sending's work
    stands, or else where the sending that committed first led (this sending's work is then rolled back)."""
    now, sender = utcnow(), _sender_id(user)
    if sent is not None:
        # The same fields sent longer ago than the window, or sent now with files, were a sending of their own:
        # this one takes the fingerprint over. Otherwise one within the window stays: its sending came first.
        taken_over = UsedSubmissionKey.key == sent
        db.session.execute(delete(UsedSubmissionKey).where(
            taken_over if _carries_files() else taken_over & (UsedSubmissionKey.used_at < _resent_since())))
        db.session.add(UsedSubmissionKey(key=sent, user_id=sender, location=location, used_at=now))
    db.session.add(UsedSubmissionKey(key=key, user_id=sender, location=location, used_at=now))
    try:
        db.session.flush()
    except IntegrityError:  # sent twice at once: the other sending committed first
        db.session.rollback()
        discard_queued_mail()
        earlier = earlier_location(key, user) or (sent and resent_location(sent, user))
        if earlier is None:
            raise
        return earlier
    return None


def _posted_key() -> str | None:
    """The key the form carries (its field may have the form's prefix); a forged one is the form's to refuse."""
    if request.method != "POST":
        return None
    keys = [value for name, value in request.form.items() if name.rpartition("-")[2] == "submission_key"]
    return keys[0] if len(keys) == 1 and re.fullmatch(KEY_PATTERN, keys[0]) else None


def _carries_files() -> bool:
    """Whether this sending attaches a file: then it is no Back and submit again."""
    return any(upload.filename for upload in request.files.values())


def sent_once(view=None, *, by_fields: bool = True):
    """Answer a form sent again (a retry, Back and submit) with where its first sending led.

    `by_fields=False`: by its key alone, for a form whose operation answers the same fields sent again itself
    and whose work may be undone and done again at once (a citation, a recorded search: removed, they may be
    added again; their fields are the page's, with no word for the user to change)."""
    if view is None:
        return partial(sent_once, by_fields=by_fields)

    @wraps(view)
    def once(*args, **kwargs):
        key = _posted_key()
        if key is None:
            return view(*args, **kwargs)
        sent = fingerprint(current_user) if by_fields else None
        earlier = earlier_location(key, current_user) or (
            None if sent is None or _carries_files() else resent_location(sent, current_user))
        if earlier is None:
            answer = view(*args, **kwargs)
            if getattr(answer, "status_code", None) not in REDIRECTS:
                return answer  # refused or shown again: the key stays unused for the corrected form
            earlier = _use_up(key, sent, current_user, answer.location)
            if earlier is None:
                return answer
        flash(_("This form was sent already; nothing was added twice."), "info")
        return redirect(earlier)

    return once


def sweep_used_keys() -> int:
    """Forget keys and fingerprints used longer ago than SUBMISSION_KEY_DAYS (no retry comes that late);
    how many went."""
    before = utcnow() - timedelta(days=current_app.config["SUBMISSION_KEY_DAYS"])
    swept = rowcount(db.session.execute(delete(UsedSubmissionKey).where(UsedSubmissionKey.used_at < before)))
    db.session.commit()
    return swept
