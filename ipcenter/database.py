"""Column types and engine settings shared by every domain."""
import enum
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import CursorResult, DateTime, Integer, Result, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class LabelledEnum(enum.IntEnum):
    """An int enum whose members carry a translatable label: `PENDING = 1, _l("Pending record")`."""

    _label: object  # a string, or a lazy one translated when it is read

    def __new__(cls, value: int, label):
        member = int.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return str(self._label)


def rowcount(result: Result) -> int:
    """The rows an UPDATE or DELETE changed. `Session.execute` answers every statement with a `Result`; for
    these it is a `CursorResult`, the kind that counts."""
    return cast(CursorResult, result).rowcount


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every engine (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class IntEnum(TypeDecorator):
    """Stores an `enum.IntEnum` member as its integer value."""

    impl = Integer
    cache_ok = True

    def __init__(self, enum_class: type[enum.IntEnum]):
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        return None if value is None else int(self.enum_class(value))

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_class(value)


def enum_check(column: str, enum_class: type[enum.IntEnum]) -> str:
    """SQL for a CHECK constraint limiting `column` to the enum's values."""
    return f"{column} IN ({', '.join(str(int(m)) for m in enum_class)})"


SQLITE_SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def configure_sqlite(engine: Engine, synchronous: str) -> None:
    """Foreign keys, WAL, a busy timeout and the configured fsync level on every new SQLite connection."""
    if engine.dialect.name != "sqlite":
        return
    if synchronous not in SQLITE_SYNCHRONOUS_LEVELS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS_LEVELS)}")

    @event.listens_for(engine, "connect")
    def configure_connection(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()


def configure_postgresql(engine: Engine) -> None:
    """No just-in-time compiling on PostgreSQL connections: the app's queries are short, and a figure's estimate
    over a million rows made the server spend half a second compiling a query that then ran in fifty ms."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def configure_connection(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()


def render_migration_type(type_, obj, autogen_context):
    """Write our column types into migrations as the plain SQL types they store."""
    if type_ == "type" and isinstance(obj, IntEnum):
        return "sa.Integer()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
