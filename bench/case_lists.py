"""Benchmark: the staff queue and the enterprise case list on a large case table.

Fills a scratch database (PostgreSQL: 1,000,000 cases; SQLite: 200,000) through the
migrations, then requests each page repeatedly through the app and prints, for page
sizes 20 and 100, the median and 95th-percentile server time and the number of SQL
queries per page.

    .venv/bin/python bench/case_lists.py                     # both engines
    .venv/bin/python bench/case_lists.py --engine sqlite --cases 50000

PostgreSQL is reached at BENCH_POSTGRES_URL (default: the local server's `postgres`
database), where a scratch database `ipcenter_bench` is created and dropped.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from ipcenter import create_app  # noqa: E402
from ipcenter.accounts.models import Role, User  # noqa: E402
from ipcenter.accounts.operations import create_user  # noqa: E402
from ipcenter.cases.models import Case  # noqa: E402
from ipcenter.cases.workflow import CASE_TYPES, OWNING_POSTS  # noqa: E402
from ipcenter.config import TestConfig  # noqa: E402
from ipcenter.extensions import db  # noqa: E402
from ipcenter.organisations.models import Organisation, OrganisationStatus, Post  # noqa: E402

PASSWORD = "Bench-mark-2026"
ORGANISATIONS = 5000
OPEN_SHARE = 0.08  # most of a center's history is closed
COLUMNS = ("reference", "case_type", "title", "description", "organisation_id", "submitter_id", "stage", "post_id",
           "assignee_id", "priority", "due_date", "created_at", "updated_at", "closed_at", "version")


def scratch_database(engine_name: str, workdir: Path) -> tuple[str, callable]:
    if engine_name == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    server_url = make_url(os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "ipcenter_bench" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "ipcenter_bench"'))

    def drop():
        with server.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "ipcenter_bench" WITH (FORCE)'))
        server.dispose()

    return server_url.set(database="ipcenter_bench").render_as_string(hide_password=False), drop


def people(rng: random.Random):
    """Posts with staff, enterprises with one user each."""
    posts = {code: Post(code=code, name_zh=f"{code}岗", name_en=f"{code} post") for code in OWNING_POSTS}
    db.session.add_all(posts.values())
    staff = {code: create_user(f"{code}@bench.cn", f"{code} staff", Role.STAFF, password=PASSWORD, posts=[post])
             for code, post in posts.items()}
    db.session.execute(insert(Organisation), [
        dict(name_zh=f"古镇灯饰{n}厂", credit_code=f"B{n:017d}", address="古镇", contact_person="何",
             phone="13800138000", email=f"org{n}@bench.cn", main_products="灯具", status=OrganisationStatus.RECORDED,
             created_at=datetime.now(UTC))
        for n in range(ORGANISATIONS)])
    organisation_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
    db.session.execute(insert(User), [
        dict(email=f"user{i}@bench.cn", display_name=f"企业用户{i}", password_hash=staff["intake"].password_hash,
             role=Role.ENTERPRISE, organisation_id=oid, active=True, language="en", session_token=f"t{i}",
             created_at=datetime.now(UTC))
        for i, oid in enumerate(organisation_ids)])
    submitters = {row.organisation_id: row.id for row in db.session.execute(
        select(User.organisation_id, User.id).where(User.role == Role.ENTERPRISE))}
    db.session.commit()
    return {code: post.id for code, post in posts.items()}, {c: u.id for c, u in staff.items()}, submitters


def case_rows(count: int, post_ids: dict, staff_ids: dict, submitters: dict, rng: random.Random):
    today = date.today()
    organisation_ids = list(submitters)
    per_year: dict[int, int] = {}
    types = list(CASE_TYPES.values())
    for _ in range(count):
        case_type = rng.choice(types)
        created = datetime.now(UTC) - timedelta(days=rng.randint(0, 7 * 365), minutes=rng.randint(0, 1440))
        per_year[created.year] = per_year.get(created.year, 0) + 1
        organisation_id = rng.choice(organisation_ids)
        if rng.random() < OPEN_SHARE:
            stage = rng.choice([s for s in case_type.stages if s.kind.open])
            post_code = stage.post
            due = today + timedelta(days=rng.randint(-10, 40)) if not stage.kind.pauses_clock else None
            assignee = staff_ids[post_code] if rng.random() < 0.5 else None
            closed = None
        else:
            stage, post_code, due, assignee = case_type.stage("closed"), None, None, None
            closed = created + timedelta(days=rng.randint(1, 60))
        yield (f"ZS-{created.year}-{per_year[created.year]:06d}", case_type.code, f"{case_type.code} 案件",
               "基准测试数据", organisation_id, submitters[organisation_id], stage.code,
               post_ids[post_code] if post_code else None, assignee, rng.randint(1, 4), due, created, created,
               closed, 1)


def load_cases(rows, engine_name: str) -> None:
    if engine_name == "postgresql":
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor, cursor.copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
        return
    batch = []
    for row in rows:
        batch.append(dict(zip(COLUMNS, row)))
        if len(batch) == 20000:
            db.session.execute(insert(Case), batch)
            batch = []
    if batch:
        db.session.execute(insert(Case), batch)
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self.bump)

    def bump(self, *args):
        self.count += 1


def measure(client, counter, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches
    timings, queries = [], set()
    for _ in range(repeat):
        counter.count = 0
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(counter.count)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], max(queries)


def log_in(client, email: str) -> None:
    import re
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "bench login failed"


def run(engine_name: str, count: int, repeat: int) -> None:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as workdir:
        url, drop = scratch_database(engine_name, Path(workdir))
        try:
            app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=Path(workdir), TESTING=False)
            with app.app_context():
                upgrade()
                post_ids, staff_ids, submitters = people(rng)
                started = time.perf_counter()
                load_cases(case_rows(count, post_ids, staff_ids, submitters, rng), engine_name)
                loaded = time.perf_counter() - started
                busiest = db.session.scalar(select(Case.organisation_id).group_by(Case.organisation_id)
                                            .order_by(db.func.count().desc()).limit(1))
                enterprise_email = db.session.scalar(select(User.email).where(User.organisation_id == busiest))
                open_cases = db.session.scalar(select(db.func.count()).select_from(Case)
                                               .where(Case.closed_at.is_(None)))
                db.session.remove()
                counter = QueryCounter(db.engine)
            print(f"\n{engine_name}: {count:,} cases ({open_cases:,} open) loaded in {loaded:.1f} s")
            pages = [("staff queue, one post (retrieval)", "retrieval@bench.cn", "/workspace/?tab=all&post={post}"),
                     ("staff queue, unassigned tab", "retrieval@bench.cn", "/workspace/?tab=unassigned"),
                     ("enterprise case list (busiest enterprise)", enterprise_email, "/cases/?state=all")]
            print(f"{'page':<44}{'size':>5}{'median ms':>11}{'p95 ms':>9}{'queries':>9}")
            for label, email, url_template in pages:
                client = app.test_client()
                log_in(client, email)
                for size in (20, 100):
                    url = url_template.format(post=post_ids["retrieval"]) + f"&per_page={size}"
                    median, p95, queries = measure(client, counter, url, repeat)
                    print(f"{label:<44}{size:>5}{median:>11.1f}{p95:>9.1f}{queries:>9}")
            with app.app_context():
                db.engine.dispose()
        finally:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--cases", type=int, help="cases to load (default: 1,000,000 on PostgreSQL, 200,000 on SQLite)")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page and size")
    args = parser.parse_args()
    engines = ("postgresql", "sqlite") if args.engine == "both" else (args.engine,)
    for engine_name in engines:
        run(engine_name, args.cases or (1_000_000 if engine_name == "postgresql" else 200_000), args.repeat)


if __name__ == "__main__":
    main()
