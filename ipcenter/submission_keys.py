"""One-time submission keys for the forms that add something (a note, an account, a unit, a registration).

A POST whose commit succeeded but whose answer never reached the browser (a worker killed between
the two, a dropped connection) is sent again with the same key by the retry: it is answered with the
page the first sending led to, and nothing is added twice. A view marked `sent_once` follows the
center's Post/Redirect/Get rule: its answer is a redirect exactly when the form's work was done, and
then the key is used up in the same transaction as the work. Of two sendings at once the database's
unique key lets one commit; the other is rolled back and answered as a retry. Request forms have their
own key on the case (`Case.submission_token`).
"""
import re
import secrets
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField
from wtforms.validators import Optional as OptionalField
from wtforms.validators import Regexp

from .database import UTCDateTime, rowcount, utcnow
from .extensions import Model, db
from .mail import discard_queued_mail
from .page_cache import fresh_for_each_showing

KEY_PATTERN = r"^[A-Za-z0-9_-]{43}$"
REDIRECTS = (301, 302, 303, 307, 308)


class UsedSubmissionKey(Model):
    """A key already used, by whom (nobody for a visitor's registration), and where its form led."""

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
    """A form that adds something: it carries a fresh key when shown, and the same key when sent again."""

    # Optional: a page opened before the key existed (an upgrade while it was open) is still taken, once.
    # Hidden fields are given a label: WTForms translates the name of a field without one, and the first
    # translation of a request makes Flask-WTF read its catalogue from disk (on every page with the form).
    submission_key = HiddenField("submission_key", validators=[OptionalField(), Regexp(KEY_PATTERN, message=_l(
        "This form was not opened from the center's site, or has expired: check it and submit it again."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("formdata", True) is None or not self.is_submitted():
            self.submission_key.data = page_submission_key()


def _sender_id(user) -> int | None:
    return user.id if user.is_authenticated else None


def earlier_location(key: str, user) -> str | None:
    """Where the form sent with `key` led, if this user (or, for a visitor, a visitor) has sent it before."""
    sender = _sender_id(user)
    return db.session.scalar(select(UsedSubmissionKey.location).where(
        UsedSubmissionKey.key == key,
        UsedSubmissionKey.user_id == sender if sender is not None else UsedSubmissionKey.user_id.is_(None)))


def _use_up(key: str, user, location: str) -> str | None:
    """Record `key` as leading to `location`; None if this sending's work stands, or else where the
    sending that committed first led (this sending's work is then rolled back)."""
    db.session.add(UsedSubmissionKey(key=key, user_id=_sender_id(user), location=location))
    try:
        db.session.flush()
    except IntegrityError:  # sent twice at once: the other sending committed first
        db.session.rollback()
        discard_queued_mail()
        earlier = earlier_location(key, user)
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


def sent_once(view):
    """Answer a form sent again (a retry, Back and submit) with where its first sending led."""

    @wraps(view)
    def once(*args, **kwargs):
        key = _posted_key()
        if key is None:
            return view(*args, **kwargs)
        earlier = earlier_location(key, current_user)
        if earlier is None:
            answer = view(*args, **kwargs)
            if getattr(answer, "status_code", None) not in REDIRECTS:
                return answer  # refused or shown again: the key stays unused for the corrected form
            earlier = _use_up(key, current_user, answer.location)
            if earlier is None:
                return answer
        flash(_("This form was sent already; nothing was added twice."), "info")
        return redirect(earlier)

    return once


def sweep_used_keys() -> int:
    """Forget keys used longer ago than SUBMISSION_KEY_DAYS (no retry comes that late); how many went."""
    before = utcnow() - timedelta(days=current_app.config["SUBMISSION_KEY_DAYS"])
    swept = rowcount(db.session.execute(delete(UsedSubmissionKey).where(UsedSubmissionKey.used_at < before)))
    db.session.commit()
    return swept
