"""The background worker: sends the mail outbox, brings the search index up to date and forgets old
one-time submission keys; the long-running worker also writes the daily notification digests.

Neither happens inside a request, so a mail server that hangs or a busy index never holds
up an answer. `flask mail worker` runs `run_worker` under a process manager; `flask mail
retry` makes one pass (`work_once`) from cron (the digests then come from `flask notifications
digest`). Any number of either may run at once.
"""
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from .mail import send_due_mail, write_queued_mail
from .notifications.digest import latest_digest_time, send_digests
from .patents.index import drain_index_queue
from .submission_keys import sweep_used_keys


@dataclass
class WorkDone:
    sent: int
    failed: int
    indexed: int
    keys_swept: int = 0

    def __str__(self) -> str:
        swept = f", old submission keys forgotten: {self.keys_swept}" if self.keys_swept else ""
        return f"sent: {self.sent}, still failing: {self.failed}, index updates: {self.indexed}{swept}"


SWEEP_EVERY_SECONDS = 3600  # keys are kept for days: the long-running worker forgets old ones hourly


def work_once(stop: threading.Event | None = None, sweep: bool = True) -> WorkDone:
    """Send every message due now, then apply the index queue and (with `sweep`) forget old submission keys,
    unless told to stop meanwhile."""
    mail = send_due_mail(stop)
    if stop is not None and stop.is_set():
        return WorkDone(mail.sent, mail.failed, 0)
    return WorkDone(mail.sent, mail.failed, drain_index_queue(), sweep_used_keys() if sweep else 0)


def send_digests_when_due(served: datetime | None) -> datetime:
    """Write the day's digests once the day's DIGEST_HOUR has come and they were not written for it yet by this
    worker (`served`); the digest time now served. A worker started late catches up at once: a user's digest
    is taken once a day whoever writes it (notifications.digest)."""
    due = latest_digest_time()
    if due != served:
        send_digests()
        write_queued_mail()
    return due


def run_worker(stop: threading.Event) -> None:
    """Work until `stop` is set, finishing the batch under way; pause between passes that found nothing."""
    poll = current_app.config["MAIL_WORKER_POLL_SECONDS"]
    swept_at, digests_served = None, None
    while not stop.is_set():
        digests_served = send_digests_when_due(digests_served)
        sweep = swept_at is None or time.monotonic() - swept_at >= SWEEP_EVERY_SECONDS
        done = work_once(stop, sweep)
        if sweep:
            swept_at = time.monotonic()
        if not (done.sent or done.failed or done.indexed):
            stop.wait(poll)
