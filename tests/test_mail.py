"""Mail: a request only writes the outbox; the worker sends it, in batches, once, with growing pauses."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from ipcenter.accounts.models import Role
from ipcenter.database import utcnow
from ipcenter.extensions import db
from ipcenter.mail import OutgoingMail
from ipcenter.worker import work_once
from tests.conftest import make_user
from tests.mail_servers import smtp_sink

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def smtp_server(app):
    with smtp_sink() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1])
        yield server


def outbox() -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def queue_messages(count: int) -> None:
    """What requests would have written: `count` messages due now."""
    db.session.add_all(OutgoingMail(recipient=f"user{n}@example.cn", subject=f"message {n}", body=f"body {n}",
                                    next_attempt_at=utcnow()) for n in range(count))
    db.session.commit()


def make_due(message: OutgoingMail) -> None:
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_reset_mail_waits_in_the_outbox_and_the_worker_sends_it_over_smtp(client, runner, smtp_server, mailbox):
    user = make_user(Role.STAFF)
    assert client.submit("/password/forgot", {"email": user.email}).status_code == 302
    [message] = outbox()
    assert smtp_server.inbox == [] and message.sent_at is None and message.attempts == 0  # the request sent nothing
    result = runner.invoke(args=["mail", "retry"])
    assert result.output.strip() == "sent: 1, still failing: 0, index updates: 0"
    [email] = smtp_server.inbox
    assert email["To"] == user.email and "/password/reset/" in email.get_content()
    [message] = outbox()
    assert message.sent_at is not None and message.body == "" and message.attempts == 1
    assert message.claimed_by is None and mailbox() == []  # nothing written to the development folder
    assert runner.invoke(args=["mail", "retry"]).output.strip() == "sent: 0, still failing: 0, index updates: 0"


def test_without_a_mail_server_the_request_writes_the_mail_file_at_once(client, runner, mailbox):
    user = make_user(Role.STAFF)
    client.submit("/password/forgot", {"email": user.email})
    [email] = mailbox()
    assert email["To"] == user.email
    [message] = outbox()
    assert message.sent_at is not None and message.claimed_by is None
    assert runner.invoke(args=["mail", "retry"]).output.startswith("sent: 0,")  # never written twice


def test_unreachable_server_the_worker_logs_and_pauses_twice_as_long_after_each_failure(app, client, runner, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_MAX_ATTEMPTS=3)  # nothing listens on port 1
    user = make_user(Role.STAFF)
    client.submit("/password/forgot", {"email": user.email})
    pauses = []
    for attempt in (1, 2, 3):
        [message] = outbox()
        make_due(message)
        tried_at = utcnow()
        assert runner.invoke(args=["mail", "retry"]).output.startswith("sent: 0, still failing: 1")
        [message] = outbox()
        assert message.attempts == attempt and message.last_error and message.claimed_by is None
        pauses.append((message.next_attempt_at - tried_at).total_seconds())
    assert [round(pause / 10) * 10 for pause in pauses] == [120, 240, 480]
    assert f"mail to {user.email} failed (attempt 3)" in caplog.text
    make_due(message)
    assert runner.invoke(args=["mail", "retry"]).output.startswith("sent: 0, still failing: 0")  # given up
    assert outbox()[0].attempts == 3 and outbox()[0].sent_at is None


def test_no_mail_leaves_when_the_request_fails(app, client, mailbox, users):
    client.submit("/login", {"email": users["manager"].email, "password": "Lamp-shade-2026"})
    response = client.submit("/admin/organisations/999999/review/approve", {"reason": ""},
                             page="/admin/organisations/")
    assert response.status_code == 404
    assert mailbox() == [] and outbox() == []


def test_one_smtp_connection_carries_a_whole_batch(app, smtp_server, monkeypatch):
    import smtplib

    connections = []
    monkeypatch.setattr(smtplib.SMTP, "connect", lambda self, *args, _connect=smtplib.SMTP.connect, **kwargs:
                        connections.append(args) or _connect(self, *args, **kwargs))
    app.config.update(MAIL_BATCH_SIZE=10)
    queue_messages(25)
    assert work_once().sent == 25
    assert len(smtp_server.inbox) == 25 and len(connections) == 3


def test_a_refused_recipient_waits_alone_while_the_batch_goes_on(app, smtp_server):
    queue_messages(3)
    smtp_server.refused.add("user1@example.cn")
    done = work_once()
    assert (done.sent, done.failed) == (2, 1)
    assert [str(email["To"]) for email in smtp_server.inbox] == ["user0@example.cn", "user2@example.cn"]
    refused = outbox()[1]
    assert refused.sent_at is None and refused.attempts == 1 and "no such mailbox" in refused.last_error
    assert refused.next_attempt_at > utcnow() + timedelta(seconds=100)


def test_an_address_the_server_cannot_take_waits_alone_while_the_batch_goes_on(app, smtp_server):
    queue_messages(3)
    db.session.execute(update(OutgoingMail).where(OutgoingMail.subject == "message 1")
                       .values(recipient="用户@example.com"))  # the sink offers no SMTPUTF8
    db.session.commit()
    done = work_once()
    assert (done.sent, done.failed) == (2, 1)
    assert [str(email["To"]) for email in smtp_server.inbox] == ["user0@example.cn", "user2@example.cn"]
    unsent = outbox()[1]
    assert unsent.sent_at is None and unsent.attempts == 1 and "SMTPUTF8" in unsent.last_error
    assert unsent.claimed_by is None and unsent.next_attempt_at > utcnow() + timedelta(seconds=100)


def test_a_message_that_cannot_be_written_fails_alone_and_the_worker_goes_on(app, smtp_server):
    queue_messages(3)
    db.session.execute(update(OutgoingMail).where(OutgoingMail.subject == "message 1")
                       .values(subject="line one\nline two"))  # no header may hold a line break
    db.session.commit()
    done = work_once()
    assert (done.sent, done.failed) == (2, 1)
    assert [str(email["To"]) for email in smtp_server.inbox] == ["user0@example.cn", "user2@example.cn"]
    broken = outbox()[1]
    assert broken.sent_at is None and broken.attempts == 1 and "linefeed" in broken.last_error
    assert broken.claimed_by is None and broken.next_attempt_at > utcnow() + timedelta(seconds=100)


def test_a_lost_connection_fails_the_message_under_way_and_the_rest_go_over_a_new_one(app, smtp_server,
                                                                                       monkeypatch):
    import smtplib

    connections = []
    monkeypatch.setattr(smtplib.SMTP, "connect", lambda self, *args, _connect=smtplib.SMTP.connect, **kwargs:
                        connections.append(args) or _connect(self, *args, **kwargs))
    queue_messages(4)
    smtp_server.dropped.add("user1@example.cn")
    done = work_once()
    assert (done.sent, done.failed) == (3, 1) and len(connections) == 2
    assert [str(email["To"]) for email in smtp_server.inbox] == ["user0@example.cn", "user2@example.cn",
                                                                 "user3@example.cn"]
    cut = outbox()[1]
    assert cut.sent_at is None and cut.attempts == 1 and "closed" in cut.last_error and cut.claimed_by is None


def test_a_message_another_worker_took_over_when_the_claim_lapsed_is_left_to_it(app, smtp_server, monkeypatch):
    import smtplib

    queue_messages(3)
    second = outbox()[1]

    def send_slowly(self, email, _send=smtplib.SMTP.send_message):
        """The first message takes so long that the claim on the second lapses and another worker takes it."""
        answer = _send(self, email)
        if email["To"] == "user0@example.cn":
            db.session.execute(update(OutgoingMail).where(OutgoingMail.id == second.id).values(
                claimed_by="another worker", claimed_until=utcnow() + timedelta(minutes=10)))
            db.session.commit()
        return answer

    monkeypatch.setattr(smtplib.SMTP, "send_message", send_slowly)
    done = work_once()
    assert (done.sent, done.failed) == (2, 0)
    assert [str(email["To"]) for email in smtp_server.inbox] == ["user0@example.cn", "user2@example.cn"]
    taken = outbox()[1]
    assert taken.claimed_by == "another worker" and taken.sent_at is None and taken.attempts == 0


def test_two_workers_at_once_deliver_each_message_exactly_once(app):
    queue_messages(40)
    with smtp_sink(pause=0.01) as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1], MAIL_BATCH_SIZE=3)
        start, sent = threading.Barrier(2), {}

        def worker(name: str) -> None:
            with app.app_context():
                start.wait()
                sent[name] = work_once().sent

        threads = [threading.Thread(target=worker, args=(name,)) for name in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        recipients = sorted(str(email["To"]) for email in server.inbox)
    assert recipients == sorted(f"user{n}@example.cn" for n in range(40))  # each once
    assert sent["first"] + sent["second"] == 40 and sent["first"] and sent["second"]  # both worked
    assert all(message.sent_at is not None and message.attempts == 1 for message in outbox())


def test_the_claim_of_a_worker_that_died_lapses(app, smtp_server):
    queue_messages(2)
    first, second = outbox()
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == first.id).values(
        claimed_by="dead worker", claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == second.id).values(
        claimed_by="busy worker", claimed_until=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    assert work_once().sent == 1
    assert [str(email["To"]) for email in smtp_server.inbox] == [first.recipient]


def test_the_worker_finishes_its_batch_and_exits_cleanly_on_sigterm(app, tmp_path):
    queue_messages(4)
    with smtp_sink(pause=0.4) as server:
        environment = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                       "IPCENTER_INSTANCE": str(tmp_path / "worker"), "INDEX_FOLDER": str(tmp_path / "index"),
                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(server.server_address[1]),
                       "MAIL_BATCH_SIZE": "10", "MAIL_WORKER_POLL_SECONDS": "0.2"}
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker"], cwd=PROJECT,
                                  env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not server.inbox and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)  # in the middle of the batch
        output, errors = worker.communicate(timeout=30)
        assert worker.returncode == 0, errors
        assert len(server.inbox) == 4  # the batch under way was finished
    assert output.splitlines()[-1] == "mail worker stopped"
    assert all(message.sent_at is not None for message in outbox())
