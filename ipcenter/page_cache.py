"""Pages rendered once per state of the center's data, and served again while nothing has changed.

The pages staff reload all day (a case, the queue, a list, search results, a patent) cost a few milliseconds
of queries, forms and templates to render, and most reloads find nothing changed. A page marked
`kept_while_unchanged` is kept in this process after it is rendered and served again to the same user for the
same address, language, day and hour (a trade fair's deadline counts down in hours)
while the **data generation** is the same: a counter in the database raised in
the same transaction as any write to a table a page shows (tables no page shows: mail, keys, throttles, the
audit log). So a change committed by any process (another worker, a command, the mail worker) retires every
kept page at once, and a change rolled back retires none. Pages over the search index also name the index's
state, which changes after the database (the worker feeds the index from a queue).

What must differ between two showings of the same page is cut out when it is kept and filled in afresh each time
it is served: the CSRF token (it carries its time) and the one-time submission keys. A page is neither kept nor
served while a message waits to be flashed, nor kept when rendering it wrote anything or changed the session
(but for the CSRF token, which a page's first form may create).
"""
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import BigInteger, CheckConstraint, Integer, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .calendar import CENTER_ZONE, center_today
from .extensions import Model, db
from .patents.index import index_state

# Writes to these change no page that is kept (the audit log's page is never kept).
UNSHOWN_TABLES = frozenset({"data_generation", "mail_outbox", "used_submission_keys", "throttle_counters",
                            "audit_entries", "audit_prune_permits", "alembic_version"})
CHANGED = "data_changed"  # marks a connection whose transaction wrote a shown table
WRITES = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)", re.I)
CSRF_HOLE = b"\x00csrf\x00"
_lock = threading.Lock()


class DataGeneration(Model):
    """The one row (made by the first count) counting the committed transactions that changed what a page may show."""

    __tablename__ = "data_generation"
    __table_args__ = (CheckConstraint("id = 1", name="one_data_generation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# Writes: noticed on the connection, counted at commit -------------------------------------------------

@event.listens_for(Engine, "before_cursor_execute")
def _notice_write(connection, cursor, statement, parameters, context, executemany):
    written = WRITES.match(statement)
    if written and written.group(1).lower() not in UNSHOWN_TABLES:
        connection.info[CHANGED] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writes(connection):
    connection.info.pop(CHANGED, None)


@event.listens_for(Session, "before_commit")
def _count_generation(session):
    """Raise the generation in the transaction whose writes it counts (flushed first: they may be pending)."""
    session.flush()
    if _wrote(session):
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(DataGeneration).values(id=1, value=1).on_conflict_do_update(
            index_elements=["id"], set_={"value": DataGeneration.value + 1}))


def _wrote(session) -> bool:
    return session.in_transaction() and bool(session.connection().info.get(CHANGED))


def data_generation() -> int:
    # Read on every showing of a kept page: as plain SQL, without the ORM's statement handling.
    return db.session.connection().exec_driver_sql("SELECT value FROM data_generation WHERE id = 1").scalar() or 0


# Kept pages -------------------------------------------------------------------------------------------

def fresh_for_each_showing(make: Callable[[], str]) -> str:
    """A secret made by `make` for a page (a one-time key): a kept page shows a new one each time."""
    secret = make()
    g.setdefault("fresh_secrets", []).append((secret, make))
    return secret


def kept_while_unchanged(*, over_index: bool = False):
    """Serve the view's page from this process's pages while the data (and with `over_index` the search
    index) is as it was when the page was rendered for this user, address, language and day."""

    def decorate(view):
        @wraps(view)
        def kept(*args, **kwargs):
            size = current_app.config["KEPT_PAGES"]
            if not size or "_flashes" in session or not current_user.is_authenticated:
                return view(*args, **kwargs)
            key = _page_key(over_index)
            pages = current_app.extensions.setdefault("kept_pages", OrderedDict())
            with _lock:
                page = pages.get(key)
                if page is not None:
                    pages.move_to_end(key)
            if page is not None:
                return _showing(page)
            session_before = _session_state()
            db.session.expire_all()  # the signed-in user was read before the generation: read it again after
            answer = current_app.make_response(view(*args, **kwargs))
            page = _keepable(answer) if _session_state() == session_before else None
            if page is not None:
                with _lock:
                    pages[key] = page
                    while len(pages) > size:
                        pages.popitem(last=False)
            return answer

        return kept

    return decorate


def _page_key(over_index: bool) -> tuple:
    index = index_state() if over_index else None
    hour = datetime.now(CENTER_ZONE).hour
    return (request.full_path, current_user.id, str(get_locale()), center_today(), hour, data_generation(), index)


def _session_state() -> dict:
    """The session but its CSRF token, which a page's first form may create (and each showing makes anew)."""
    return {name: value for name, value in session.items() if name != "csrf_token"}


def _keepable(answer) -> tuple[bytes, list] | None:
    """The page (UTF-8, the smallest form to keep) with its secrets cut out, and how to make each anew, if it
    may be kept: a whole HTML page whose rendering wrote nothing, and with no NUL (stored text holding one
    could pass for a hole)."""
    if (answer.status_code != 200 or answer.mimetype != "text/html" or answer.direct_passthrough
            or "_flashes" in session or _wrote(db.session())):
        return None
    page = answer.get_data()
    if b"\x00" in page:
        return None
    page = page.replace(generate_csrf().encode(), CSRF_HOLE)
    secrets = g.get("fresh_secrets", [])
    for number, (secret, _make) in enumerate(secrets):
        page = page.replace(secret.encode(), _hole(number))
    return page, [make for _secret, make in secrets]


def _hole(number: int) -> bytes:
    return b"\x00secret%d\x00" % number


def _showing(kept: tuple[bytes, list]):
    page, makers = kept
    page = page.replace(CSRF_HOLE, generate_csrf().encode())
    for number, make in enumerate(makers):
        page = page.replace(_hole(number), make().encode())
    return current_app.response_class(page, mimetype="text/html")
