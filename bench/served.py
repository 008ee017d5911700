"""An ipcenter instance for the benches that talk HTTP (bench/load.py, bench/pages.py).

Its own folder and database (SQLite in the folder, or a scratch PostgreSQL database), the app's commands
run with its settings, gunicorn serving it on loopback, and the login form filled in as a browser would.
"""
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Instance:
    engine: str
    folder: Path
    database_url: str
    port: int
    smtp_port: int | None = None  # mail goes to this port on loopback; None: the app's default
    drop: callable = lambda: None

    @property
    def uploads(self) -> Path:
        return self.folder / "uploads"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict:
        mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.smtp_port),
                "MAIL_WORKER_POLL_SECONDS": "1"} if self.smtp_port else {}
        return {**os.environ, "IPCENTER_INSTANCE": str(self.folder), "DATABASE_URL": self.database_url,
                "SECRET_KEY": "bench-secret", "BASE_URL": self.base, "LOG_LEVEL": "WARNING", "FLASK_APP": "wsgi",
                **mail}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_instance(engine: str, name: str, smtp_port: int | None = None) -> Instance:
    """A fresh folder, and for PostgreSQL a scratch database `ipcenter_<name>_<random>` on BENCH_POSTGRES_URL
    (default: the local server's `postgres` database), dropped by `instance.drop()`."""
    folder = Path(tempfile.mkdtemp(prefix=f"ipcenter-{name}-{engine}-"))
    if engine == "sqlite":
        return Instance(engine, folder, f"sqlite:///{folder / 'ipcenter.sqlite3'}", free_port(), smtp_port)
    server_url = make_url(os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    database = f"ipcenter_{name}_{secrets.token_hex(4)}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))

    def drop():
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        server.dispose()

    url = server_url.set(database=database).render_as_string(hide_password=False)
    return Instance(engine, folder, url, free_port(), smtp_port, drop)


def run(instance: Instance, command: list[str], check: bool = True) -> subprocess.CompletedProcess:
    """A command with the instance's settings; a failure that matters stops the bench with its output."""
    done = subprocess.run(command, cwd=ROOT, env=instance.environment(), capture_output=True, text=True, timeout=300)
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{done.stdout}{done.stderr}")
    return done


def flask(instance: Instance, *args, check: bool = True) -> subprocess.CompletedProcess:
    return run(instance, [str(BIN / "flask"), *args], check)


# gunicorn and its workers -----------------------------------------------------------

def start_gunicorn(instance: Instance, workers: int, log, app: str = "wsgi:app", port: int | None = None,
                   options: tuple = (), environment: dict | None = None) -> subprocess.Popen:
    """gunicorn in the project folder, so that gunicorn.conf.py is read as in production; these options (and
    settings in `environment`) win."""
    command = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port or instance.port}",
               "--no-control-socket", *options, app]
    return subprocess.Popen(command, cwd=ROOT, env={**instance.environment(), **(environment or {})},
                            stdout=log, stderr=log)


def wait_ready(master: subprocess.Popen, url: str, seconds: float) -> bool:
    """Whether `url` answers 200 within `seconds` (False at once if the master exits)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and master.poll() is None:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=5).status_code == 200:
                return True
        time.sleep(0.3)
    return False


def stop(process: subprocess.Popen, seconds: float) -> None:
    """SIGTERM (a graceful stop), then SIGKILL after `seconds`."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def started_at(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except OSError:
        return 0


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) the process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int, since: int) -> bool:
    """Whether the process that started at `since` still runs (a pid alone may have been reused by then)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and started_at(pid) == since


# The pages, as a browser reads them -------------------------------------------------

class Forms(HTMLParser):
    """Every form of a page: its action and the values of its hidden inputs."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self.current: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = self.forms.setdefault(attrs.get("action") or "", {})
        elif tag == "input" and self.current is not None and attrs.get("type") == "hidden" and attrs.get("name"):
            self.current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def login_form(login_page: str, email: str, password: str) -> dict:
    """What the login page's form sends, filled in."""
    token = next(values["csrf_token"] for values in Forms(login_page).forms.values() if "csrf_token" in values)
    return {"email": email, "password": password, "csrf_token": token}
