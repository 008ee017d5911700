"""Outgoing email: SMTP when configured, otherwise .eml files in the mail folder.

Messages are queued during the request and sent only after its commit, so a
rolled-back change never mails anyone and a mail failure never breaks a request.
"""
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, g, render_template
from flask_babel import force_locale

from .database import utcnow


def queue_mail(recipient: str, subject: str, template: str, language: str = "zh", **context) -> None:
    with force_locale(language):
        body = render_template(f"emails/{template}.txt", **context)
        subject = str(subject)
    g.setdefault("outgoing_mail", []).append(_message(recipient, subject, body))


def deliver_queued_mail() -> None:
    for message in g.pop("outgoing_mail", []):
        try:
            _deliver(message)
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("mail to %s failed", message["To"])


def discard_queued_mail() -> None:
    g.pop("outgoing_mail", None)


def _message(recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@ipcenter>"
    message.set_content(body)
    return message


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_to_folder(message, Path(config["MAIL_FOLDER"]))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_to_folder(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(message.as_bytes())
