"""Abuse throttling: Flask-Limiter counting in Redis, or in our own database table.

Every worker must see the same counts, so limits never live in one process's memory:
with `REDIS_URL` set they are kept in Redis, otherwise in the `throttle_counters` table
through `DatabaseStorage`, a storage backend for the `limits` package (which ships none
for SQL). The limits themselves are settings (`LOGIN_ACCOUNT_LIMIT`, ...), read on
every request so each app, and each test, can choose its own.
"""
import secrets
import time

from flask import current_app, flash, g, make_response, request
from flask_babel import ngettext
from flask_login import current_user
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .audit.operations import record_throttling
from .extensions import Model, db, limiter


class ThrottleCounter(Model):
    """One fixed window of a rate limit: how many hits, and when the window ends."""

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the `limits` package counts time.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class DatabaseStorage(Storage):
    """A `limits` storage over `throttle_counters`, in its own transactions (a refused
    request rolls its own work back, but its hit must stay counted)."""

    STORAGE_SCHEME = ["ipcenter+database"]

    def __init__(self, uri=None, wrap_exceptions=False, key_prefix="", **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.key_prefix = key_prefix

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _key(self, key: str) -> str:
        return f"{self.key_prefix}:{key}"

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = ThrottleCounter.__table__
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table).values(key=self._key(key), hits=amount, expires_at=now + expiry)
        alive = table.c.expires_at > now  # an expired window starts again from this hit
        upsert = insert.on_conflict_do_update(index_elements=[table.c.key], set_={
            "hits": case((alive, table.c.hits + amount), else_=amount),
            "expires_at": case((alive, table.c.expires_at), else_=insert.excluded.expires_at),
        }).returning(table.c.hits)
        with db.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.expires_at <= now - 86400))
            return connection.execute(upsert).scalar_one()

    def _window(self, key: str):
        with db.engine.connect() as connection:
            return connection.execute(select(ThrottleCounter.hits, ThrottleCounter.expires_at).where(
                ThrottleCounter.key == self._key(key), ThrottleCounter.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        window = self._window(key)
        return window.hits if window else 0

    def get_expiry(self, key: str) -> float:
        window = self._window(key)
        return window.expires_at if window else time.time()

    def check(self) -> bool:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

    def reset(self) -> int:
        with db.engine.begin() as connection:
            return connection.execute(delete(ThrottleCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(ThrottleCounter).where(ThrottleCounter.key == self._key(key)))


def init_throttling(app) -> None:
    """Bind the limiter to Redis when REDIS_URL is set, else to the database."""
    prefix = app.config["THROTTLE_KEY_PREFIX"] or f"ipcenter-test-{secrets.token_hex(6)}"
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "ipcenter+database://"
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"key_prefix": prefix}
    app.config["RATELIMIT_STRATEGY"] = "fixed-window"
    limiter.init_app(app)


def setting(name: str):
    """A limit read from the app's settings on each request."""
    return lambda: current_app.config[name]


# What a limit counts.

def client_address() -> str:
    return request.remote_addr or "unknown"


def submitted_email() -> str:
    from .accounts.operations import normalise_email

    return "account:" + normalise_email(request.form.get("email", ""))


def own_organisation() -> str:
    # Limits are checked before the view's login check: an anonymous visitor has no organisation.
    return f"organisation:{getattr(current_user, 'organisation_id', None)}"


def signed_in_user() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{client_address()}"


def per_account_and_address(account_limit: str, address_limit: str, **options):
    """Two limits on a form's POSTs: one per typed email (whether or not it has an account), one per address."""

    def decorate(view):
        for setting_name, key_func in ((account_limit, submitted_email), (address_limit, client_address)):
            view = limiter.limit(setting(setting_name), key_func=key_func, methods=["POST"], **options)(view)
        return view

    return decorate


def redirected(response) -> bool:
    """The form was accepted (it redirects): only accepted submissions use up the allowance."""
    return response.status_code == 302


def login_failed(response) -> bool:
    return g.get("login_failed", False)


def forget_login_failures() -> None:
    """After a successful login the account's failures are forgiven (not the address's)."""
    for limit in limiter.current_limits:
        if any(part.startswith("account:") for part in limit.request_args):
            limit.limiter.clear(limit.limit, *limit.request_args)


# What a refused request sees.

def refusal_message(reset_at: float) -> str:
    minutes = max(1, round((reset_at - time.time()) / 60))
    return ngettext("Too many attempts. For your security, please wait %(num)d minute and try again.",
                    "Too many attempts. For your security, please wait %(num)d minutes and try again.", minutes)


def form_refused(render_page):
    """on_breach for a form: the same page as a 429, with what was typed and why it was refused."""

    def on_breach(request_limit):
        current_app.logger.warning("throttled %s %s: account=%s address=%s", request.method, request.path,
                                   request.form.get("email", "-"), request.remote_addr)
        record_throttling(request.path, request_limit.limit,
                          after={"email": request.form.get("email", "")[:254], "limit": str(request_limit.limit)})
        flash(refusal_message(request_limit.reset_at), "danger")
        return make_response(render_page(), 429)

    return on_breach


def current_refusal() -> str:
    """The message for the limit this request broke (for refusals without a form)."""
    limit = limiter.current_limit
    return refusal_message(limit.reset_at if limit else time.time() + 60)
