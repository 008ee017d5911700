"""The log itself: the database refuses to change or drop entries; managers browse, filter and export it;
`flask audit prune` archives old entries and is the only way out of the table."""
import csv
import getpass
import gzip
import io
import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from ipcenter.accounts.models import Role
from ipcenter.audit.models import AuditEntry, AuditPrunePermit
from ipcenter.audit.operations import record
from ipcenter.extensions import db
from tests.conftest import make_user

LONG_AGO = datetime(2020, 3, 1, 4, 0, tzinfo=UTC)


def add_entry(action="case.note", kind="case", object_id="ZS-2020-000001", created_at=None, **fields):
    entry = record(action, kind, object_id, **fields)
    if created_at is not None:
        entry.created_at = created_at
    db.session.commit()
    return entry


# Append-only ---------------------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET action = 'account.login'",
    "DELETE FROM audit_entries",
])
def test_the_database_refuses_to_change_or_delete_an_entry(app, statement):
    add_entry()
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(statement))
    assert db.session.scalar(select(AuditEntry.action)) == "case.note"


def test_a_permit_without_a_prune_entry_does_not_open_the_table(app):
    """Deletion needs a permit naming an `audit.pruned` entry; a permit naming any other entry is no key."""
    entry = add_entry(created_at=LONG_AGO)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO audit_prune_permits (entry_id, pruned_before) "
                                    "VALUES (:id, :before)"), {"id": entry.id, "before": datetime(2030, 1, 1)})
            connection.execute(text("DELETE FROM audit_entries"))
    assert db.session.scalar(select(AuditEntry.id)) == entry.id


def test_postgresql_refuses_truncate_too(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    add_entry()
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_entries CASCADE"))


# Browsing --------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["enterprise", "staff", "reporter"])
@pytest.mark.parametrize("page", ["/admin/audit/", "/admin/audit/export.csv"])
def test_only_managers_open_the_log(client, login_as, users, role, page):
    login_as(users[role])
    assert client.get(page).status_code == 403


@pytest.fixture
def sample(users):
    """A few entries by different people on different days."""
    manager, staff = users["manager"], users["staff"]
    return {
        "old_note": add_entry("case.note", "case", "ZS-2026-000001", actor=staff,
                              created_at=datetime(2026, 3, 1, 2, tzinfo=UTC)),
        "transition": add_entry("case.transition", "case", "ZS-2026-000002", actor=staff,
                                before={"stage": "answering"}, after={"stage": "answered"},
                                created_at=datetime(2026, 3, 5, 2, tzinfo=UTC)),
        "approval": add_entry("organisation.approve", "organisation", 7, actor=manager,
                              before={"status": "PENDING"}, after={"status": "RECORDED", "reason": "=1+1"},
                              created_at=datetime(2026, 3, 9, 2, tzinfo=UTC)),
    }


def shown(client, **filters) -> list[str]:
    response = client.get("/admin/audit/", query_string=filters)
    assert response.status_code == 200
    html = response.get_data(as_text=True).split('id="audit-table"')[1]
    return [chunk.split('"')[0] for chunk in html.split('data-action="')[1:]]


def test_managers_filter_by_user_action_object_and_dates(client, login_as, users, sample):
    login_as(users["manager"])
    assert shown(client, action="case.note", since="2026-01-01") == ["case.note"]
    assert shown(client, who=users["staff"].email, since="2026-01-01") == ["case.transition", "case.note"]
    assert shown(client, kind="case", object_id="ZS-2026-000002") == ["case.transition"]
    assert shown(client, kind="organisation", object_id="7") == ["organisation.approve"]
    assert shown(client, since="2026-03-02", until="2026-03-05") == ["case.transition"]


def test_the_dates_are_the_centers_days(client, login_as, users):
    """23:30 UTC on 4 March is 07:30 on 5 March in Zhongshan."""
    add_entry(created_at=datetime(2026, 3, 4, 23, 30, tzinfo=UTC))
    login_as(users["manager"])
    assert shown(client, action="case.note", since="2026-03-05", until="2026-03-05") == ["case.note"]
    assert shown(client, action="case.note", until="2026-03-04") == []


@pytest.mark.parametrize("filters, field, message", [
    ({"since": "2026-13-01"}, "since", "Not a valid date value."),
    ({"since": "2026-03-05", "until": "2026-03-01"}, "until", "The end of the range comes before its start."),
    ({"action": "drop.table"}, "action", "Not a valid choice."),
])
def test_bad_filters_are_refused_beside_the_field(client, login_as, users, filters, field, message):
    login_as(users["manager"])
    response = client.get("/admin/audit/", query_string=filters)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).split(f'id="{field}-error"')[1].split("</div>")[0]
    assert client.get("/admin/audit/export.csv", query_string=filters).status_code == 400


def test_the_log_pages_fifty_entries_at_a_time(client, login_as, users):
    for n in range(55):
        record("case.note", "case", f"ZS-2026-{n:06d}", actor=users["staff"])
    db.session.commit()
    login_as(users["manager"])
    assert len(shown(client, action="case.note")) == 50
    assert len(shown(client, action="case.note", page=2)) == 5


def test_the_export_link_keeps_the_filters_whatever_their_names(client, login_as, users):
    login_as(users["manager"])
    response = client.get("/admin/audit/?action=case.note&endpoint=x&_anchor=y")
    assert response.status_code == 200
    assert 'href="/admin/audit/export.csv?action=case.note&amp;endpoint=x&amp;_anchor=y"' in response.get_data(
        as_text=True)


def exported_rows(client, **filters) -> list[list[str]]:
    response = client.get("/admin/audit/export.csv", query_string=filters)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"), newline="")))


def test_the_csv_holds_the_filtered_entries_and_no_formula(client, login_as, users, sample):
    record("account.login_failed", "user", None, after={"email": "=HYPERLINK(\"http://evil\")", "reason": "x"})
    db.session.commit()
    db.session.execute(text("SELECT 1"))
    login_as(users["manager"])
    header, *rows = exported_rows(client, kind="organisation")
    assert header[:6] == ["Time (UTC)", "User id", "User", "IP address", "Action", "Action code"]
    assert len(rows) == 1
    [row] = rows
    assert row[0] == "2026-03-09T02:00:00+00:00" and row[2] == users["manager"].email
    assert row[5] == "organisation.approve" and row[7] == "7"
    assert json.loads(row[8]) == {"status": "PENDING"} and json.loads(row[9])["reason"] == "=1+1"
    _, *failed = exported_rows(client, action="account.login_failed")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in failed for cell in row)


def test_a_user_agent_that_looks_like_a_formula_is_exported_as_text(client, login_as, users):
    client.environ_base["HTTP_USER_AGENT"] = "=cmd|' /C calc'!A0"
    login_as(users["manager"])
    _, *rows = exported_rows(client, action="account.login")
    assert rows[0][10] == "'=cmd|' /C calc'!A0"


def test_an_export_is_itself_recorded_with_its_filters(client, login_as, users, sample):
    login_as(users["manager"])
    exported_rows(client, kind="case", since="2026-03-01")
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.exported"))
    assert entry.actor_id == users["manager"].id
    assert entry.after == {"filters": {"kind": "case", "since": "2026-03-01"}, "entries": 2}


def test_managers_find_the_log_in_the_menu(client, login_as, users):
    login_as(users["manager"])
    assert 'id="nav-audit"' in client.get("/").get_data(as_text=True)
    client.submit("/logout", page="/")
    login_as(users["staff"])
    assert 'id="nav-audit"' not in client.get("/").get_data(as_text=True)


# Pruning ----------------------------------------------------------------------------------

def archived(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as archive:
        return [json.loads(line) for line in archive]


@pytest.fixture
def shared_umask():
    """A host whose default makes new files readable by every user."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_prune_archives_and_removes_only_the_older_entries_and_records_itself(app, runner, users, shared_umask):
    old_ids = [add_entry("case.note", "case", f"ZS-2020-00000{n}", actor=users["staff"],
                         created_at=LONG_AGO + timedelta(days=n)).id for n in range(3)]
    recent_id = add_entry("case.transition", "case", "ZS-2024-000001",
                          created_at=datetime(2024, 6, 1, tzinfo=UTC)).id
    result = runner.invoke(args=["audit", "prune", "--before", "2021-01-01"])
    assert result.exit_code == 0, result.output
    path = result.output.strip().rsplit(" to ", 1)[1]
    assert path.startswith(f"{app.instance_path}/audit-archive/") and path.endswith(".jsonl.gz")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # for the auditors' eyes only
    lines = archived(path)
    assert [line["id"] for line in lines] == old_ids
    assert lines[0]["actor_email"] == users["staff"].email and lines[0]["object_id"] == "ZS-2020-000000"
    db.session.expire_all()
    remaining = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert recent_id in [entry.id for entry in remaining]
    assert not any(entry.created_at < datetime(2021, 1, 1, tzinfo=UTC) for entry in remaining)
    [prune] = [entry for entry in remaining if entry.action == "audit.pruned"]
    assert prune.after["archived"] == 3 and prune.after["before"] == "2021-01-01"
    assert prune.after["archive"] == path.rsplit("/", 1)[1] and len(prune.after["sha256"]) == 64
    assert db.session.scalar(select(AuditPrunePermit)) is None  # the permit lived only inside the prune


def test_after_a_prune_the_table_refuses_deletion_again(app, runner):
    add_entry(created_at=LONG_AGO)
    add_entry(created_at=LONG_AGO + timedelta(days=400))
    assert runner.invoke(args=["audit", "prune", "--before", "2020-06-01"]).exit_code == 0
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_entries"))


def test_prune_with_nothing_to_archive_writes_no_file_but_is_recorded(app, runner, client, login_as):
    result = runner.invoke(args=["audit", "prune", "--before", "2021-01-01"])
    assert result.exit_code == 0 and "nothing archived" in result.output
    [entry] = db.session.scalars(select(AuditEntry))
    assert entry.action == "audit.pruned" and entry.after["archived"] == 0
    login_as(make_user(Role.MANAGER))
    page = client.get("/admin/audit/", query_string={"action": "audit.pruned"}).get_data(as_text=True)
    assert f"Server command ({getpass.getuser()})" in page  # who ran it, not "Not signed in"


@pytest.mark.parametrize("value", ["2021-02-30", "yesterday", "01/01/2021"])
def test_a_bad_date_gets_a_clear_error_line(runner, value):
    result = runner.invoke(args=["audit", "prune", "--before", value])
    assert result.exit_code == 2
    assert f"Error: Invalid value for --before: '{value}' is not a date; write it as YYYY-MM-DD" in result.output


def test_prune_keeps_what_the_retention_setting_keeps(app, runner):
    app.config["AUDIT_RETENTION_DAYS"] = 365
    add_entry(created_at=datetime.now(UTC) - timedelta(days=30))
    result = runner.invoke(args=["audit", "prune", "--before", datetime.now().date().isoformat()])
    assert result.exit_code == 1 and "entries are kept for 365 days (AUDIT_RETENTION_DAYS)" in result.output
    assert db.session.scalar(select(AuditEntry.action)) == "case.note"


def test_without_a_date_prune_removes_what_is_past_retention(app, runner):
    app.config["AUDIT_RETENTION_DAYS"] = 365
    add_entry("case.note", created_at=datetime.now(UTC) - timedelta(days=400))
    add_entry("case.assigned", created_at=datetime.now(UTC) - timedelta(days=300))
    assert runner.invoke(args=["audit", "prune"]).exit_code == 0
    db.session.expire_all()
    assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == \
        ["case.assigned", "audit.pruned"]
