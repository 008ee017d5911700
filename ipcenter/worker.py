"""The background worker: sends the mail outbox and brings the search index up to date.

Neither happens inside a request, so a mail server that hangs or a busy index never holds
up an answer. `flask mail worker` runs `run_worker` under a process manager; `flask mail
retry` makes one pass (`work_once`) from cron. Any number of either may run at once.
"""
import threading
from dataclasses import dataclass

from flask import current_app

from .mail import send_due_mail
from .patents.index import drain_index_queue


@dataclass
class WorkDone:
    sent: int
    failed: int
    indexed: int

    def __str__(self) -> str:
        return f"sent: {self.sent}, still failing: {self.failed}, index updates: {self.indexed}"


def work_once(stop: threading.Event | None = None) -> WorkDone:
    """Send every message due now, then apply the index queue (unless told to stop meanwhile)."""
    mail = send_due_mail(stop)
    stopping = stop is not None and stop.is_set()
    return WorkDone(mail.sent, mail.failed, 0 if stopping else drain_index_queue())


def run_worker(stop: threading.Event) -> None:
    """Work until `stop` is set, finishing the batch under way; pause between passes that found nothing."""
    poll = current_app.config["MAIL_WORKER_POLL_SECONDS"]
    while not stop.is_set():
        done = work_once(stop)
        if not (done.sent or done.failed or done.indexed):
            stop.wait(poll)
