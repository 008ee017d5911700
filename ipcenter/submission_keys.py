"""One-time submission keys for the forms that add something again when sent again (a note, a progress report).

A POST whose commit succeeded but whose answer never reached the browser (a worker killed between
the two, a dropped connection) is sent again with the same key by the retry: it is answered with the
page the first sending led to, and nothing is added twice. The key is claimed (written and flushed)
before the work, so of two sendings at once the database lets one through; the other waits for it and
then finds the key used. Request forms have their own key on the case (`Case.submission_token`).
"""
import secrets
from datetime import datetime

from flask import flash, redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp

from .database import UTCDateTime, utcnow
from .extensions import db

KEY_PATTERN = r"^[A-Za-z0-9_-]{43}$"


class UsedSubmissionKey(db.Model):
    """A key already used, and where its form led."""

    __tablename__ = "used_submission_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(String(500))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyedForm(FlaskForm):
    """A form that adds something: it carries a fresh key when shown, and the same key when sent again."""

    # Optional: a page opened before the key existed (an upgrade while it was open) is still taken, once.
    submission_key = HiddenField(validators=[Optional(), Regexp(KEY_PATTERN, message=_l(
        "This form was not opened from the center's site, or has expired: check it and submit it again."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("formdata", True) is None or not self.is_submitted():
            self.submission_key.data = secrets.token_urlsafe(32)


def earlier_location(key: str, user) -> str | None:
    """Where the form sent with `key` led, if this user has sent it before."""
    return db.session.scalar(select(UsedSubmissionKey.location).where(UsedSubmissionKey.key == key,
                                                                      UsedSubmissionKey.user_id == user.id))


def claim_key(key: str, user, location: str) -> str | None:
    """Use up `key` for a form leading to `location`; None if it is this sending's to use, or else where
    the sending that used it led. Call before the work: this may roll the session back."""
    earlier = earlier_location(key, user)
    if earlier is not None:
        return earlier
    db.session.add(UsedSubmissionKey(key=key, user_id=user.id, location=location))
    try:
        db.session.flush()
    except IntegrityError:  # sent twice at once: the other sending committed first
        db.session.rollback()
        earlier = earlier_location(key, user)
        if earlier is None:
            raise
        return earlier
    return None


def sent_before(form: KeyedForm, user, location: str):
    """The answer to a form sent again (a retry, Back and submit): where its first sending led."""
    earlier = claim_key(form.submission_key.data, user, location) if form.submission_key.data else None
    if earlier is None:
        return None
    flash(_("This form was sent already; nothing was added twice."), "info")
    return redirect(earlier)
