"""The daily digest: `flask notifications digest` (cron) and the mail worker write each user, once a day, one email
listing the unread notifications left for it, in the user's language, with links."""
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ipcenter import worker
from ipcenter.accounts.models import Role
from ipcenter.cases.operations import assign_case
from ipcenter.extensions import db
from ipcenter.notifications.models import Delivery, Notification
from ipcenter.notifications.operations import choose_deliveries, mark_read
from ipcenter.worker import WorkDone
from tests.cases.conftest import make_case
from tests.conftest import make_user
from tests.notifications.conftest import mail_to

MORNING = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)  # 08:30 in Zhongshan, Friday 27 November
NEXT_MORNING = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)
DIGEST = "Your daily digest"


def digests_in(mailbox, user) -> list:
    return [message for message in mailbox() if message["To"] == user.email and DIGEST in message["Subject"]]


def run_digest(runner) -> str:
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    return result.output


def test_digest_mails_nothing_at_once_then_one_digest_listing_both(runner, center, choose, clock, mailbox):
    staff = center.staff["consultation"]
    choose(staff, new_work=Delivery.DIGEST)
    first, second = make_case(center, "consultation"), make_case(center, "consultation")
    assert len(db.session.scalars(select(Notification).where(Notification.user_id == staff.id)).all()) == 2
    assert mail_to(staff) == []  # nothing at once
    clock(MORNING)
    assert run_digest(runner) == "digests sent: 1\n"
    [message] = digests_in(mailbox, staff)
    assert message["Subject"] == "Your daily digest: 2 notifications"
    body = message.get_content()
    assert body.index(first.reference) < body.index(second.reference)  # oldest first
    assert f"http://ipcenter.test/cases/{first.reference}" in body
    assert f"http://ipcenter.test/cases/{second.reference}" in body
    assert "http://ipcenter.test/notifications/settings" in body


def test_running_it_twice_the_same_day_sends_one(runner, center, choose, clock, mailbox):
    staff = center.staff["consultation"]
    choose(staff, new_work=Delivery.DIGEST)
    make_case(center, "consultation")
    clock(MORNING)
    assert run_digest(runner) == "digests sent: 1\n"
    later = make_case(center, "consultation")  # news after the day's digest waits for tomorrow's
    clock(datetime(2026, 11, 27, 15, 59, tzinfo=UTC))  # 23:59 the same day
    assert run_digest(runner) == "digests sent: 0\n"
    assert len(digests_in(mailbox, staff)) == 1
    clock(NEXT_MORNING)
    assert run_digest(runner) == "digests sent: 1\n"
    [_, tomorrows] = digests_in(mailbox, staff)
    assert tomorrows["Subject"] == "Your daily digest: 1 notification" and later.reference in tomorrows.get_content()


def test_a_digest_lists_only_its_readers_notifications(runner, center, choose, clock, mailbox):
    consultation, foreign = center.staff["consultation"], center.staff["foreign_assistance"]
    choose(consultation, new_work=Delivery.DIGEST)
    choose(foreign, new_work=Delivery.DIGEST)
    question, fair = make_case(center, "consultation"), make_case(center, "foreign_assistance")
    clock(MORNING)
    assert run_digest(runner) == "digests sent: 2\n"
    [to_consultation] = digests_in(mailbox, consultation)
    [to_foreign] = digests_in(mailbox, foreign)
    assert question.reference in to_consultation.get_content()
    assert fair.reference not in to_consultation.get_content()
    assert fair.reference in to_foreign.get_content()
    assert question.reference not in to_foreign.get_content()
    assert [m for m in mailbox() if DIGEST in m["Subject"] and m["To"] not in (consultation.email, foreign.email)] == []


def test_only_groups_put_on_the_digest_wait_for_it(runner, center, choose, clock, mailbox):
    staff = center.staff["consultation"]
    choose(staff, new_work=Delivery.DIGEST, stage_changed=Delivery.IN_APP)
    case = make_case(center, "consultation")
    assign_case(case, staff, center.manager)  # "assigned" stays at once
    db.session.commit()
    assert mail_to(staff) == [f"{center.manager.display_name} assigned {case.reference} “{case.title}” to you."]
    clock(MORNING)
    run_digest(runner)
    [message] = digests_in(mailbox, staff)
    assert message["Subject"] == "Your daily digest: 1 notification"


def test_notifications_read_in_the_app_are_not_repeated(runner, center, choose, clock, mailbox):
    staff = center.staff["consultation"]
    choose(staff, new_work=Delivery.DIGEST)
    seen, unseen = make_case(center, "consultation"), make_case(center, "consultation")
    mark_read(staff, [db.session.scalar(select(Notification.id).where(Notification.user_id == staff.id,
                                                                      Notification.case_id == seen.id))])
    db.session.commit()
    clock(MORNING)
    assert run_digest(runner) == "digests sent: 1\n"
    [message] = digests_in(mailbox, staff)
    assert unseen.reference in message.get_content() and seen.reference not in message.get_content()
    mark_read(staff)  # everything read before the next morning: no email at all
    make_case(center, "consultation")
    mark_read(staff)
    db.session.commit()
    clock(NEXT_MORNING)
    assert run_digest(runner) == "digests sent: 0\n"
    assert db.session.scalar(select(Notification.id).where(Notification.awaiting_digest)) is None


def test_deactivated_and_invited_users_get_no_digest(runner, center, choose, clock, mailbox):
    staff = center.staff["consultation"]
    invited = make_user(Role.STAFF, posts=[center.posts["consultation"]], password=None)
    choose(staff, new_work=Delivery.DIGEST)
    choose_deliveries(invited, {"new_work": Delivery.DIGEST})
    case = make_case(center, "consultation")
    assert "case_submitted" in [n.kind for n in db.session.scalars(select(Notification)
                                                                    .where(Notification.user_id == invited.id))]
    staff.active = False
    db.session.commit()
    clock(MORNING)
    assert run_digest(runner) == "digests sent: 0\n"
    assert [m["To"] for m in mailbox() if case.reference in m["Subject"]] == [center.colleague["consultation"].email]
    assert mail_to(staff) == [] and mail_to(invited, case.reference) == [] and mail_to(invited, DIGEST) == []


def test_the_digest_speaks_its_readers_language(runner, center, choose, clock, mailbox):
    staff = center.staff["consultation"]
    staff.language = "zh"
    db.session.commit()
    choose(staff, new_work=Delivery.DIGEST)
    case = make_case(center, "consultation")
    clock(MORNING)
    run_digest(runner)
    [message] = [m for m in mailbox() if m["To"] == staff.email]
    assert message["Subject"] == "每日摘要：1 条通知"
    assert f"提交了新的申请：{case.reference}" in message.get_content()


def test_the_worker_writes_the_digests_once_a_day_at_the_digest_hour(app, center, choose, clock, mailbox,
                                                                      monkeypatch):
    """The worker starts at 07:00; its passes end at 07:59, 08:30 and 09:30 and at 08:30 the next day, and
    during each the staff member gets a new notification. The digests are written when the worker starts (the
    day before's, late) and at the first pass after each 08:00, and only then."""
    staff = center.staff["consultation"]
    choose(staff, new_work=Delivery.DIGEST)
    app.config["MAIL_WORKER_POLL_SECONDS"] = 0
    times = iter([datetime(2026, 11, 26, 23, 59, tzinfo=UTC), MORNING, datetime(2026, 11, 27, 1, 30, tzinfo=UTC),
                  NEXT_MORNING])
    stop, runs = threading.Event(), []
    send_digests = worker.send_digests
    monkeypatch.setattr(worker, "send_digests", lambda: runs.append(1) or send_digests())

    def one_pass(stop_event, sweep):
        make_case(center, "consultation")
        try:
            clock(next(times))
        except StopIteration:
            stop.set()
        return WorkDone(0, 0, 0)

    clock(datetime(2026, 11, 26, 23, 0, tzinfo=UTC))  # the worker starts at 07:00: yesterday's digest is due
    monkeypatch.setattr(worker, "work_once", one_pass)
    worker.run_worker(stop)
    # at the start (nothing waiting yet), at 08:30 (the passes before 08:00) and the next morning (the two since)
    assert len(runs) == 3
    subjects = [m["Subject"] for m in digests_in(mailbox, staff)]
    assert subjects == ["Your daily digest: 2 notifications", "Your daily digest: 2 notifications"]


@pytest.mark.parametrize("hour", ["24", "-1", "eight"])
def test_a_digest_hour_that_is_no_hour_stops_the_start(monkeypatch, hour):
    from ipcenter.config import Config

    monkeypatch.setenv("DIGEST_HOUR", hour)
    with pytest.raises(ValueError):
        Config.from_environment()
