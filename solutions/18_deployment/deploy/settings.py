"""Exercise 1: the production settings. The capstone's settings, with everything that differs between
machines read from the environment, checked once at start-up: a missing or malformed value stops the
process with one line that names the variable, before it serves a single request."""

import os
import sys
from urllib.parse import urlsplit

import dj_database_url

from config.settings import *  # noqa: F403 - the capstone's apps, middleware, queues and schedule
from config.settings import CHANNEL_LAYERS

from deploy.logconf import LOGGING  # noqa: F401 - course-owned: one line per record, with the request id


class ConfigError(Exception):
    """One environment variable is missing or malformed; the message is the one line an operator reads."""


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


# --8<-- [start:read]
def _required(environ, name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def read_environment(environ) -> dict:
    """Every value the deployment takes from the environment, checked. Raises ConfigError."""
    secret = _required(environ, "SECRET_KEY")
    # Django's own deploy check (security.W009): short, repetitive or generated-for-development keys.
    if len(secret) < 50 or len(set(secret)) < 5 or secret.startswith("django-insecure-"):
        raise ConfigError("SECRET_KEY is too weak: use at least 50 random characters "
                          "(python -c 'import secrets; print(secrets.token_urlsafe(50))')")

    raw_debug = environ.get("DEBUG", "false").strip().lower()  # why: "False" is a non-empty, truthy string
    if raw_debug not in TRUE | FALSE:
        raise ConfigError(f"DEBUG must be true or false, not {environ.get('DEBUG')!r}")
    debug = raw_debug in TRUE

    hosts = _split(_required(environ, "ALLOWED_HOSTS"))
    if "*" in hosts and not debug:
        raise ConfigError("ALLOWED_HOSTS='*' accepts any Host header: list the real host names")

    origins = _split(environ.get("CSRF_TRUSTED_ORIGINS", ""))
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"CSRF_TRUSTED_ORIGINS entry {origin!r} needs a scheme, like https://{origin}")

    redis_url = _required(environ, "REDIS_URL")
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
        raise ConfigError(f"REDIS_URL must look like redis://host:6379/0, not {redis_url!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that isn't a number
    except ValueError:
        raise ConfigError(f"REDIS_URL has a port that isn't a number: {redis_url!r}") from None

    database_url = _required(environ, "DATABASE_URL")
    try:
        database = dj_database_url.parse(database_url, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # noqa: BLE001 - dj-database-url raises several kinds; the operator needs one line
        scheme = database_url.split("://", 1)[0] if "://" in database_url else database_url[:20]
        raise ConfigError(f"DATABASE_URL is not a database URL ({scheme!r}: {type(error).__name__})") from None

    return {"SECRET_KEY": secret, "DEBUG": debug, "ALLOWED_HOSTS": hosts, "CSRF_TRUSTED_ORIGINS": origins,
            "REDIS_URL": redis_url, "DATABASE": database}
# --8<-- [end:read]


# --8<-- [start:apply]
try:
    _env = read_environment(os.environ)
except ConfigError as error:
    sys.exit(f"deploy.settings: {error}")  # one line on stderr and exit status 1: no traceback to dig through

SECRET_KEY = _env["SECRET_KEY"]
DEBUG = _env["DEBUG"]
ALLOWED_HOSTS = _env["ALLOWED_HOSTS"]
CSRF_TRUSTED_ORIGINS = _env["CSRF_TRUSTED_ORIGINS"]
REDIS_URL = _env["REDIS_URL"]
DATABASES = {"default": _env["DATABASE"]}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # several processes share one file (see lesson 17)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
# The capstone built these from its own REDIS_URL default: point them at the checked one.
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [REDIS_URL]
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
# --8<-- [end:apply]

# Behind nginx: it terminates TLS and says so in X-Forwarded-Proto (the only proxy allowed to reach us).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
