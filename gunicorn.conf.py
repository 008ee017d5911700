"""gunicorn settings for ipcenter: `gunicorn -c gunicorn.conf.py wsgi:app` (read by default from this folder).

Anything here can be overridden on the command line (`--bind`, `--workers`) or in GUNICORN_CMD_ARGS.
"""
import ctypes
import os
import signal
import sys

bind = os.environ.get("IPCENTER_BIND", "127.0.0.1:8000")
# gunicorn's advice for sync workers: two per core, plus one. The cores this process may use, not the machine's.
workers = int(os.environ.get("IPCENTER_WORKERS", 2 * len(os.sched_getaffinity(0)) + 1))
timeout = 60  # a 20 MB upload over a slow line fits; a worker silent longer is killed and replaced
graceful_timeout = 30  # on SIGTERM (systemd stop, restart) requests under way have this long to finish
# gunicorn 25+ opens a control socket by default, at one path shared by every instance of the same user: two
# instances (or a restart beside a dying one) would fight over it. Nothing here uses gunicornc.
control_socket_disable = True
accesslog = "-"
errorlog = "-"

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def post_fork(server, worker):
    """A worker whose master dies must stop, not serve on unsupervised and hold the port against a restart.

    Sync workers notice a new parent only between requests and after `timeout` seconds of quiet; the kernel
    tells them at once: SIGTERM (a graceful exit: the request under way finishes) when the master is gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
            server.log.warning("worker %s will not hear of its master's death: prctl failed (errno %s)",
                               worker.pid, ctypes.get_errno())
    if os.getppid() != worker.ppid:  # the master died before the request above was made
        os.kill(os.getpid(), signal.SIGTERM)
