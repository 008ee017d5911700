"""Mail goes through SMTP when configured; a failing server never breaks the request."""
import logging
import socketserver
import threading

import pytest

from ipcenter.accounts.models import Role
from tests.conftest import make_user


class SMTPSink(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib to deliver a message to the server's inbox."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ready")
        while line := self.rfile.readline().decode().strip():
            verb = line.split(" ")[0].upper()
            if verb == "DATA":
                self.reply("354 go ahead")
                body = []
                while (chunk := self.rfile.readline().decode()) not in (".\r\n", ""):
                    body.append(chunk)
                self.server.inbox.append("".join(body))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server(app):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPSink)
    server.inbox = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1])
    yield server
    server.shutdown()
    server.server_close()


def test_reset_mail_goes_through_smtp(client, smtp_server, mailbox):
    user = make_user(Role.STAFF)
    client.submit("/password/forgot", {"email": user.email})
    [message] = smtp_server.inbox
    assert f"To: {user.email}" in message and "/password/reset/" in message
    assert mailbox() == []  # nothing written to the development folder


def test_unreachable_smtp_server_is_logged_and_the_request_still_succeeds(app, client, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    user = make_user(Role.STAFF)
    with caplog.at_level(logging.ERROR):
        response = client.submit("/password/forgot", {"email": user.email})
    assert response.status_code == 302
    assert any(f"mail to {user.email} failed" in record.getMessage() for record in caplog.records)


def test_no_mail_leaves_when_the_request_fails(app, client, mailbox, users):
    client.submit("/login", {"email": users["manager"].email, "password": "Lamp-shade-2026"})
    response = client.submit("/admin/organisations/999999/review/approve", {"reason": ""},
                             page="/admin/organisations/")
    assert response.status_code == 404
    assert mailbox() == []


def test_failed_mail_is_retried_by_the_cron_command_and_its_body_dropped_once_sent(app, client, runner, mailbox):
    from datetime import timedelta

    from sqlalchemy import select

    from ipcenter.database import utcnow
    from ipcenter.extensions import db
    from ipcenter.mail import OutgoingMail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    user = make_user(Role.STAFF)
    client.submit("/password/forgot", {"email": user.email})
    [message] = db.session.scalars(select(OutgoingMail)).all()
    assert message.sent_at is None and message.attempts == 1 and "/password/reset/" in message.body
    assert runner.invoke(args=["mail", "retry"]).output.strip() == "sent: 0, still failing: 0"  # pausing
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    app.config.update(MAIL_SERVER=None)
    assert runner.invoke(args=["mail", "retry"]).output.strip() == "sent: 1, still failing: 0"
    db.session.expire_all()
    assert message.sent_at is not None and message.body == "" and message.attempts == 2
    assert "/password/reset/" in mailbox()[0].get_content()
