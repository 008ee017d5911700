"""Until tests/conftest.py lifts the audit log's SQLite triggers itself when it empties the tables between
tests (as it does the timeline's), this wraps its `_empty_tables` to do so. Loaded by tests/audit/conftest.py;
for other folders run pytest with `-p tests.audit.lift_triggers`. Delete once the lead has wired it."""
from sqlalchemy import text

import tests.conftest as root
from ipcenter.audit.models import SQLITE_TRIGGERS
from ipcenter.extensions import db

_empty_tables = root._empty_tables


def _empty_tables_past_the_audit_triggers() -> None:
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        with db.engine.begin() as connection:
            for name in SQLITE_TRIGGERS:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    try:
        _empty_tables()
    finally:
        if sqlite:
            with db.engine.begin() as connection:
                for statement in SQLITE_TRIGGERS.values():  # harmless once conftest recreates them too
                    connection.execute(text(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")))


root._empty_tables = _empty_tables_past_the_audit_triggers
