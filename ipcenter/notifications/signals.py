"""Where other domains add to a notification's email without notifications importing them (blinker signals, as
in cases/signals.py)."""
from blinker import Namespace

_signals = Namespace()

mail_additions = _signals.signal("notification-mail-additions", doc="""What other domains add to a notification's email.

Sent with the notification as sender and `user`, its recipient, in the recipient's language, while the email (at
once, or in the daily digest) is written; each receiver returns a paragraph for this user (a question and the link
to answer it: the closing's satisfaction question), or None.""")


def additions_for(notification, user) -> list[str]:
    """The paragraphs other domains add to this notification's email for this user."""
    return [str(value) for _receiver, value in mail_additions.send(notification, user=user) if value is not None]
