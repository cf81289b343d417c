"""Exercise 1: the production settings. The capstone's settings, with everything that differs between
machines read from the environment, checked once at start-up: a missing or malformed value should stop
the process with one line that names the variable, before it serves a single request.

Right now it reads the environment the way most tutorials do: with defaults that quietly hide a
missing value, and no checks at all."""

import os
import sys

import dj_database_url

from config.settings import *  # noqa: F403 - the capstone's apps, middleware, queues and schedule
from config.settings import CHANNEL_LAYERS

from deploy.logconf import LOGGING  # noqa: F401 - course-owned: one line per record, with the request id


class ConfigError(Exception):
    """One environment variable is missing or malformed; the message is the one line an operator reads."""


def read_environment(environ) -> dict:
    """Every value the deployment takes from the environment, checked. Raises ConfigError."""
    # TODO: required values (SECRET_KEY, ALLOWED_HOSTS, REDIS_URL, DATABASE_URL) must not have defaults:
    #       raise ConfigError("<NAME> is not set") instead. Reject a weak SECRET_KEY too.
    # TODO: DEBUG is a string: accept true/false (1/0, yes/no, on/off) and refuse anything else.
    # TODO: CSRF_TRUSTED_ORIGINS entries need a scheme (https://example.com); REDIS_URL must be a redis:// URL;
    #       DATABASE_URL must parse. Each problem: one ConfigError naming the variable.
    # --8<-- [start:naive]
    return {
        "SECRET_KEY": environ.get("SECRET_KEY", "change-me"),
        "DEBUG": environ.get("DEBUG", False),
        "ALLOWED_HOSTS": environ.get("ALLOWED_HOSTS", "*").split(","),
        "CSRF_TRUSTED_ORIGINS": environ.get("CSRF_TRUSTED_ORIGINS", "").split(","),
        "REDIS_URL": environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DATABASE": dj_database_url.config(default="sqlite:///db.sqlite3"),
    }
    # --8<-- [end:naive]


try:
    _env = read_environment(os.environ)
except ConfigError as error:
    # TODO: one line on stderr and exit status 1 (no traceback): what the operator reads in the log.
    raise

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

# Behind nginx: it terminates TLS and says so in X-Forwarded-Proto (the only proxy allowed to reach us).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
