"""Settings, read from environment variables with safe defaults."""
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _digest_hour(value) -> int:
    """An hour of the day; anything else stops the start with a message, not the first digest."""
    hour = int(value)
    if not 0 <= hour <= 23:
        raise ValueError(f"DIGEST_HOUR must be an hour from 0 to 23, not {value}")
    return hour


def trusted_hosts(base_url: str, listed: str | None, production: bool) -> list[str]:
    """The host names the app answers to: TRUSTED_HOSTS if given, else BASE_URL's host (and loopback in development)."""
    if listed:
        return [host.strip() for host in listed.split(",") if host.strip()]
    hosts = [urlsplit(base_url).hostname or "localhost"]
    if not production:
        hosts += [host for host in ("localhost", "127.0.0.1") if host not in hosts]
    return hosts


def development_secret_key(instance_path: Path) -> str:
    """One key per instance, created once, so every worker and restart shares it."""
    key_file = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and linked into place: of several workers starting
    # at once, exactly one key wins and nobody ever reads a half-written file.
    draft = instance_path / f".secret_key.{secrets.token_hex(8)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(draft, key_file)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return key_file.read_text().strip()


class Config:
    """Base settings; `from_environment` fills them in at start-up."""

    ENV_NAME = "development"
    INSTANCE_PATH = Path(os.environ.get("IPCENTER_INSTANCE", DEFAULT_INSTANCE))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_SYNCHRONOUS = "FULL"  # an acknowledged commit survives a power cut
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    LANGUAGES = ("zh", "en")
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "ipcenter" / "translations")
    PASSWORD_RESET_MAX_AGE = 3600
    INVITATION_MAX_AGE = 7 * 24 * 3600
    ARGON2_PROFILE = "RFC_9106_LOW_MEMORY"
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "ipcenter@localhost"
    # The mail worker (`flask mail worker`, `flask mail retry`); a request never talks to the mail server.
    MAIL_TIMEOUT = 30  # seconds the SMTP server may take to answer
    MAIL_BATCH_SIZE = 50  # messages sent over one SMTP connection
    MAIL_RETRY_SECONDS = 120  # the pause after a first failure, doubled after each further one
    MAIL_MAX_ATTEMPTS = 8  # then the message is given up (it stays in the outbox with its last error)
    MAIL_CLAIM_SECONDS = 600  # a worker's hold on its batch: the batch of a worker that died goes out after it
    MAIL_WORKER_POLL_SECONDS = 5.0  # the worker's pause when it found nothing to do
    DIGEST_HOUR = 8  # the daily digest of notifications goes out at this hour, the center's time (0-23)
    SEARCH_SYNC_ON_START = True  # the served app applies the search index queue beside it (an interrupted import)
    BASE_URL = "http://127.0.0.1:5000"
    CENTER_PHONE = "0760-2233 0000"  # where a complaint's respondent calls the center (its link's pages, its email)
    # The center's name where users read it (letterheads, documents, mail), in both languages.
    CENTER_NAME_ZH = "古镇知识产权快速维权中心"
    CENTER_NAME_EN = "Guzhen IP Rapid-Protection Service Center"
    # Its address, on the letterhead of its official notices.
    CENTER_ADDRESS_ZH = "广东省中山市古镇镇中兴大道南1号"
    CENTER_ADDRESS_EN = "1 Zhongxing Avenue South, Guzhen Town, Zhongshan, Guangdong, China"
    TRUSTED_HOSTS = ["127.0.0.1", "localhost"]
    PROXY_COUNT = 0
    HSTS_SECONDS = 365 * 24 * 3600
    LOG_LEVEL = "INFO"  # login attempts are logged at INFO; production logs must show them
    # Throttling counts in Redis when REDIS_URL is set, otherwise in the database; never per process.
    REDIS_URL: str | None = None
    THROTTLE_KEY_PREFIX: str | None = "ipcenter"
    LOGIN_ACCOUNT_LIMIT = "5 per 15 minutes"  # failed logins per account
    LOGIN_ADDRESS_LIMIT = "30 per hour"  # failed logins per client address
    PASSWORD_RESET_LIMIT = "5 per hour"  # reset and confirmation mails, per address and per account
    REGISTRATION_LIMIT = "10 per hour"  # registrations per address
    INVITATION_LIMIT = "20 per hour"  # invitations per organisation
    EXPORT_RATE_LIMIT = "60 per hour"  # patent exports per user
    RESPONDENT_LINK_LIMIT = "10 per hour"  # answers sent through one respondent's link (a good one is sent once)
    RESPONDENT_ADDRESS_LIMIT = "60 per hour"  # answers sent through respondents' links from one client address
    EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
    # PostgreSQL's client programs for `flask backup` and `flask restore`: a name looked up on PATH, or a path.
    PG_DUMP = "pg_dump"
    PG_RESTORE = "pg_restore"
    AUDIT_RETENTION_DAYS = 730  # `flask audit prune` never removes entries younger than this
    AUDIT_ARCHIVE_FOLDER = None  # unset: audit-archive/ in the instance folder
    SUBMISSION_KEY_DAYS = 30  # a form sent again later than this is taken as a new one
    KEPT_PAGES = 300  # rendered pages each process keeps while the data is unchanged (page_cache); 0: none
    SUBMISSION_RESENT_MINUTES = 60  # the same fields sent again from a page opened anew (Back) count as sent already

    @classmethod
    def from_environment(cls) -> dict:
        env = os.environ
        instance = Path(env.get("IPCENTER_INSTANCE", cls.INSTANCE_PATH))
        production = env.get("IPCENTER_ENV", cls.ENV_NAME) == "production"
        base_url = env.get("BASE_URL", cls.BASE_URL).rstrip("/")
        settings = {
            "ENV_NAME": "production" if production else cls.ENV_NAME,
            "INSTANCE_PATH": instance,
            "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", f"sqlite:///{instance / 'ipcenter.sqlite3'}"),
            "UPLOAD_FOLDER": Path(env.get("UPLOAD_FOLDER", instance / "uploads")),
            "INDEX_FOLDER": Path(env.get("INDEX_FOLDER", instance / "index")),
            "MAIL_FOLDER": Path(env.get("MAIL_FOLDER", instance / "mail")),
            "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", cls.MAX_CONTENT_LENGTH)),
            "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
            "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
            "MAIL_SERVER": env.get("MAIL_SERVER") or None,
            "MAIL_PORT": int(env.get("MAIL_PORT", cls.MAIL_PORT)),
            "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", cls.MAIL_USE_TLS),
            "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
            "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
            "MAIL_SENDER": env.get("MAIL_SENDER", cls.MAIL_SENDER),
            "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", cls.MAIL_TIMEOUT)),
            "MAIL_BATCH_SIZE": int(env.get("MAIL_BATCH_SIZE", cls.MAIL_BATCH_SIZE)),
            "MAIL_RETRY_SECONDS": int(env.get("MAIL_RETRY_SECONDS", cls.MAIL_RETRY_SECONDS)),
            "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS", cls.MAIL_MAX_ATTEMPTS)),
            "MAIL_CLAIM_SECONDS": int(env.get("MAIL_CLAIM_SECONDS", cls.MAIL_CLAIM_SECONDS)),
            "MAIL_WORKER_POLL_SECONDS": float(env.get("MAIL_WORKER_POLL_SECONDS", cls.MAIL_WORKER_POLL_SECONDS)),
            "DIGEST_HOUR": _digest_hour(env.get("DIGEST_HOUR", cls.DIGEST_HOUR)),
            "SEARCH_SYNC_ON_START": _env_bool("SEARCH_SYNC_ON_START", cls.SEARCH_SYNC_ON_START),
            "BASE_URL": base_url,
            "CENTER_PHONE": env.get("CENTER_PHONE", cls.CENTER_PHONE),
            "CENTER_NAME_ZH": env.get("CENTER_NAME_ZH", cls.CENTER_NAME_ZH),
            "CENTER_NAME_EN": env.get("CENTER_NAME_EN", cls.CENTER_NAME_EN),
            "CENTER_ADDRESS_ZH": env.get("CENTER_ADDRESS_ZH", cls.CENTER_ADDRESS_ZH),
            "CENTER_ADDRESS_EN": env.get("CENTER_ADDRESS_EN", cls.CENTER_ADDRESS_EN),
            "TRUSTED_HOSTS": trusted_hosts(base_url, env.get("TRUSTED_HOSTS"), production),
            "PROXY_COUNT": int(env.get("PROXY_COUNT", cls.PROXY_COUNT)),
            "HSTS_SECONDS": int(env.get("HSTS_SECONDS", cls.HSTS_SECONDS)),
            "REDIS_URL": env.get("REDIS_URL") or None,
            "LOG_LEVEL": env.get("LOG_LEVEL", cls.LOG_LEVEL),
            "PG_DUMP": env.get("PG_DUMP", cls.PG_DUMP),
            "PG_RESTORE": env.get("PG_RESTORE", cls.PG_RESTORE),
            "AUDIT_RETENTION_DAYS": int(env.get("AUDIT_RETENTION_DAYS", cls.AUDIT_RETENTION_DAYS)),
            "AUDIT_ARCHIVE_FOLDER": Path(env.get("AUDIT_ARCHIVE_FOLDER", instance / "audit-archive")),
            "SUBMISSION_KEY_DAYS": int(env.get("SUBMISSION_KEY_DAYS", cls.SUBMISSION_KEY_DAYS)),
            "KEPT_PAGES": int(env.get("KEPT_PAGES", cls.KEPT_PAGES)),
            "SUBMISSION_RESENT_MINUTES": int(env.get("SUBMISSION_RESENT_MINUTES", cls.SUBMISSION_RESENT_MINUTES)),
        }
        secret = env.get("SECRET_KEY")
        if not secret:
            if production:
                raise RuntimeError("SECRET_KEY must be set when IPCENTER_ENV=production.")
            secret = development_secret_key(instance)
        settings["SECRET_KEY"] = secret
        return settings


class TestConfig(Config):
    """Used by the test suite; the fixtures add a database URL and folders."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    ARGON2_PROFILE = "CHEAPEST"
    SQLITE_SYNCHRONOUS = "OFF"  # a test database need not survive a power cut; fsync per commit dominated the suite
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    BASE_URL = "http://ipcenter.test"
    TRUSTED_HOSTS = trusted_hosts(BASE_URL, None, production=False)
    REDIS_URL = os.environ.get("REDIS_URL") or None  # CI runs the suite on Redis, developers on the database
    THROTTLE_KEY_PREFIX = None  # a fresh prefix for every app: each test counts from zero on a shared Redis
    # No test app drains the index queue when served (tests commit patents outside a
    # request, which updates the index at once; tests of the queue run the worker's pass themselves).
    SEARCH_SYNC_ON_START = False
