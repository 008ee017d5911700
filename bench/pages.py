"""The speed of four pages against a bare Flask page, served alike: the case page, the staff queue, the patent
results and a patent's page (issue #12: "Pages three times faster").

Each page is measured twice: **kept**, as the app serves it (a page opened again while nothing changed is
served from the pages the process keeps, ipcenter/page_cache.py), and **rendered**, by a second server with
KEPT_PAGES=0 (every request renders the page: what the first showing after a change costs).

One run, on a fresh instance with the demo data (`flask db upgrade`, `flask seed-demo`):
- in process (Flask's test client, each page after a warm-up): each page's SQL query count and the median
  CPU time it takes;
- `gunicorn -w 2` serving the app (and again with KEPT_PAGES=0), and beside it, served the same way from the
  same folder (so that gunicorn.conf.py applies to both), a bare Flask + Jinja page rendering one variable
  (bench/bare_page.py);
- wrk on loopback (-c20 -t2; each run bounded, it stops by itself): first an unmeasured run on each page
  (each worker loads the word dictionary and opens the index once), then for each page in turn the bare page
  and the page, kept and rendered (signed in as the demo user named in the table, with the session cookie a
  browser holds after opening the page once), `--seconds` each.

It prints each page's requests per second as a share of the bare page's measured just before it; the same
share counted in the CPU time the servers' workers spent per request (other work on the machine, wrk's too,
does not count: on a busy machine the steadier figure); the issue's target; the page's SQL query count and
its CPU time in process. Two cores shared with other work make the shares noisy: run it twice, or on a
quiet machine.

    .venv/bin/python bench/pages.py                                  # SQLite, 10 s a run (~3 min)
    .venv/bin/python bench/pages.py --engine postgresql --seconds 20

wrk is the load generator (event-driven C: the client is not what is measured); on Debian `apt-get install wrk`,
elsewhere https://github.com/wg/wrk. PostgreSQL is reached at BENCH_POSTGRES_URL (default: the local server's
`postgres` database), where a scratch database is created and dropped.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode

import requests
from served import (
    Instance,
    children,
    cpu_seconds,
    flask,
    free_port,
    login_form,
    make_instance,
    start_gunicorn,
    stop,
    wait_ready,
)
from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ipcenter import create_app  # noqa: E402
from ipcenter.accounts.models import User  # noqa: E402
from ipcenter.cases.models import Case  # noqa: E402
from ipcenter.cases.operations import available_transitions  # noqa: E402
from ipcenter.demo import DEMO_PASSWORD, POSTS, STAFF  # noqa: E402
from ipcenter.extensions import db  # noqa: E402
from ipcenter.reports.models import Citation  # noqa: E402

WRK_MISSING = ("bench/pages.py drives the pages with wrk, which is not installed: on Debian `apt-get install wrk`, "
               "elsewhere see https://github.com/wg/wrk")
MANAGER = STAFF[0][0]
RESULTS_QUERY = "吸顶灯"
IN_PROCESS_RUNS = 20


@dataclass
class Run:
    rps: float
    cpu_ms: float  # the CPU time gunicorn's workers spent per answered request


@dataclass
class Serving:
    """One way a page is served: kept (as the app serves it) or rendered (KEPT_PAGES=0)."""

    queries: int = 0
    cpu_ms: float = 0.0  # in process, median
    served: Run | None = None


@dataclass
class Page:
    name: str
    email: str
    path: str
    target: float  # the least share of the bare page's requests per second (issue #12)
    kept: Serving = field(default_factory=Serving)
    rendered: Serving = field(default_factory=Serving)
    bare: Run | None = None  # the bare page's, measured just before this page's
    cookie: str = ""

    def share(self, serving: Serving) -> float:
        return serving.served.rps / self.bare.rps

    def cpu_share(self, serving: Serving) -> float:
        """The bare page's server CPU time per request as a share of this page's: the share with only the
        servers' work counted, whatever else runs on the machine (wrk's own work, counted, would raise it)."""
        return self.bare.cpu_ms / serving.served.cpu_ms


def demo_pages() -> list[Page]:
    """The four pages on the demo data, each seen by the staff member who works it.

    The case page is the open case whose page is longest for the demo staff member of its post (the most
    actions and timeline entries; the first such case); the patent page the first patent the demo search
    report cites."""
    workers = {code: db.session.scalar(select(User).where(User.email == email))
               for email, _, _, codes in STAFF[1:] for code in codes}
    open_cases = db.session.scalars(select(Case).where(Case.closed_at.is_(None), Case.post_id.is_not(None))
                                    .order_by(Case.id))
    case = max(open_cases, key=lambda case: len(available_transitions(case, workers[case.post.code]))
               + len(case.events))
    cited = db.session.scalars(select(Citation.patent_id).order_by(Citation.id)).first()
    retrieval = workers[POSTS[3][0]].email
    return [Page("case page", workers[case.post.code].email, f"/cases/{case.reference}", 0.20),
            Page("staff queue", MANAGER, "/workspace/?tab=all", 0.25),
            Page("patent results", retrieval, f"/patents/?{urlencode({'q': RESULTS_QUERY})}", 0.12),
            Page("patent page", retrieval, f"/patents/{cited}", 0.20)]


# In process: queries and time ---------------------------------------------------------

USER_AGENT = "ipcenter-bench"  # the same in process and under wrk: Flask-Login ties a session to it


def measure_in_process(instance: Instance) -> list[Page]:
    """Each page's query count and median CPU time through the test client (after a warm-up request), kept and
    rendered, and the session cookie wrk sends for it (as a browser holds it after opening the page once)."""
    os.environ.update(instance.environment())
    app = create_app()
    with app.app_context():  # left before the requests: each pushes its own, with its own signed-in user
        pages = demo_pages()
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.append(1))
    kept_pages = app.config["KEPT_PAGES"]
    for page in pages:
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        login_page = client.get("/login", base_url=instance.base).get_data(as_text=True)
        answer = client.post("/login", base_url=instance.base, data=login_form(login_page, page.email, DEMO_PASSWORD))
        if answer.status_code != 302:
            raise RuntimeError(f"the login of {page.email} failed: {answer.status_code}")
        check_answer(page, client.get(page.path, base_url=instance.base).status_code)
        page.cookie = f"session={client.get_cookie('session', domain='127.0.0.1').value}"
        for serving, kept in ((page.kept, kept_pages), (page.rendered, 0)):
            app.config["KEPT_PAGES"] = kept
            times = []
            for _ in range(IN_PROCESS_RUNS):
                statements.clear()
                started = time.process_time()  # CPU time: other work on the machine does not count
                client.get(page.path, base_url=instance.base)
                times.append(time.process_time() - started)
            serving.queries, serving.cpu_ms = len(statements), statistics.median(times) * 1000
    return pages


def check_answer(page: Page, status: int) -> None:
    if status != 200:
        raise RuntimeError(f"{page.name} ({page.path} as {page.email}) answered {status}, not 200")


# Served: gunicorn, and wrk against it ---------------------------------------------------

def drive(server: subprocess.Popen, url: str, seconds: float, connections: int, cookie: str = "") -> Run:
    """wrk against `url` for `seconds`; every answer must be a 2xx."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
               "-H", f"User-Agent: {USER_AGENT}",
               *(["-H", f"Cookie: {cookie}"] if cookie else []), url]
    workers = children(server.pid)
    spent = sum(map(cpu_seconds, workers))
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    spent = sum(map(cpu_seconds, workers)) - spent
    answered = re.search(r"(\d+) requests in .*Requests/sec:\s*([\d.]+)", done.stdout, re.S)
    if done.returncode or not answered:
        raise RuntimeError(f"wrk failed on {url}:\n{done.stdout}{done.stderr}")
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    if refused:
        raise RuntimeError(f"{refused.group(1)} answers from {url} were not 2xx or 3xx:\n{done.stdout}")
    return Run(float(answered.group(2)), spent * 1000 / max(int(answered.group(1)), 1))


def measure_served(instance: Instance, pages: list[Page], args, log) -> None:
    """Each page's requests per second under wrk, and the bare page's just before it (the load of other work
    on the machine drifts over minutes)."""
    bare_port, rendering_port = free_port(), free_port()
    bare_url = f"http://127.0.0.1:{bare_port}/"
    rendering = f"http://127.0.0.1:{rendering_port}"
    servers = [start_gunicorn(instance, args.workers, log),
               start_gunicorn(instance, args.workers, log, port=rendering_port, environment={"KEPT_PAGES": "0"}),
               start_gunicorn(instance, args.workers, log, "bare_page:app", bare_port,
                              ("--pythonpath", str(Path(__file__).resolve().parent)))]
    try:
        for server, url in zip(servers, (f"{instance.base}/login", f"{rendering}/login", bare_url), strict=True):
            if not wait_ready(server, url, 90):
                raise RuntimeError(f"gunicorn did not serve {url} within 90 s; see {log.name}")
        app, rendering_app, bare = servers
        ways = ((app, instance.base, "kept"), (rendering_app, rendering, "rendered"))
        for page in pages:  # what each worker loads once (the word dictionary, the index) is loaded here
            for server, base, _way in ways:
                check_answer(page, requests.get(base + page.path, allow_redirects=False, timeout=30, headers={
                    "Cookie": page.cookie, "User-Agent": USER_AGENT}).status_code)
                drive(server, base + page.path, args.warm_up, args.connections, page.cookie)
        for page in pages:
            print(f"  {page.name} ...", flush=True)
            page.bare = drive(bare, bare_url, args.seconds, args.connections)
            for server, base, way in ways:
                getattr(page, way).served = drive(server, base + page.path, args.seconds, args.connections,
                                                  page.cookie)
    finally:
        for server in servers:
            stop(server, 30)


def print_table(pages: list[Page], args) -> None:
    print(f"\ngunicorn -w {args.workers}, wrk -c{args.connections}, {args.seconds:g} s a run, {args.engine}. "
          "kept: as served (opened again, nothing changed); rendered: KEPT_PAGES=0. "
          "share: of the bare page's requests per second, measured just before; "
          "CPU share: the bare page's server CPU time per request over the page's; queries and CPU ms: in process")
    rows = [("page", "signed in as", "path", "way", "req/s", "bare req/s", "share", "CPU share", "target", "queries",
             "CPU ms")]
    for page in pages:
        for way in ("kept", "rendered"):
            serving = getattr(page, way)
            rows.append((page.name, page.email, unquote(page.path), way, f"{serving.served.rps:.0f}",
                         f"{page.bare.rps:.0f}", f"{page.share(serving):.1%}", f"{page.cpu_share(serving):.1%}",
                         f"{page.target:.0%}", str(serving.queries), f"{serving.cpu_ms:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) if i < 4 else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip())
    missed = [page.name for page in pages if page.share(page.kept) < page.target]
    print(f"\nkept, below target: {', '.join(missed)}" if missed else "\nkept, every page meets its target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured wrk run (default 10)")
    parser.add_argument("--warm-up", type=float, default=3, help="an unmeasured wrk run on each page first (default 3)")
    parser.add_argument("--connections", type=int, default=20, help="wrk's open connections (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder (its servers.log) for a look")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit(WRK_MISSING)
    instance = make_instance(args.engine, "pages")
    log = (instance.folder / "servers.log").open("ab")
    try:
        print(f"demo data in {instance.folder} ...", flush=True)
        flask(instance, "db", "upgrade")
        flask(instance, "seed-demo")
        print("in process ...", flush=True)
        pages = measure_in_process(instance)
        print("served ...", flush=True)
        measure_served(instance, pages, args, log)
        print_table(pages, args)
    finally:
        log.close()
        instance.drop()
        if args.keep:
            print(f"(instance kept in {instance.folder})")
        else:
            shutil.rmtree(instance.folder, ignore_errors=True)


if __name__ == "__main__":
    main()
