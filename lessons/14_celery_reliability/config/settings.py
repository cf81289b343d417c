"""Settings of the lesson 14 project: a shop that charges orders through a payment provider, and a
nightly settlement batch. Course-owned; the Celery settings are yours (celery_settings.py, exercise 3).

Everything that differs between machines comes from the environment. Tests and benches give each worker
process the same Redis (REDIS_URL) and the same database file (DATABASE_URL)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# A private folder the checker gives each test run; `awaitlings run 14` and your shell use the lesson folder.
SCRATCH = Path(os.environ.get("AWAITLINGS_SCRATCH", BASE_DIR))

SECRET_KEY = os.environ.get("SECRET_KEY", "awaitlings-lesson-14-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "payments",
    "ledger",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

# SQLite by default, any database through DATABASE_URL. Worker processes and tests share a file.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH / "test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,  # a writer waits for another process's transaction instead of failing at once
        # BEGIN IMMEDIATE: a transaction takes SQLite's write lock when it starts, so two processes
        # serialise the way `select_for_update` makes them on PostgreSQL (instead of deadlocking).
        "transaction_mode": "IMMEDIATE",
        # WAL: readers (a test counting charges) never wait for a writer (a worker charging).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Seoul"

# The payment provider's behaviour (payments/provider.py): how long one call takes.
PROVIDER_LATENCY = float(os.environ.get("PROVIDER_LATENCY", "0.05"))
# The settlement batch (ledger/work.py): how long one item takes.
LEDGER_ITEM_SECONDS = float(os.environ.get("LEDGER_ITEM_SECONDS", "0.03"))
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

LOGGING = {"version": 1, "disable_existing_loggers": False}

from .celery_settings import *  # noqa: E402,F403 - exercise 3: the CELERY_* settings

# How often a worker looks for unacknowledged messages whose visibility timeout has passed (kombu's
# Redis transport: every 10 × 10 s by default). The lesson's tests use a visibility timeout of a second
# or two, so they look every second. This changes when lost messages are *noticed*, not which ones.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": 1 if os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL") else 10,
    **globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
}

# The charge task's longest wait between two retries (exercise 1): tests set 0 so they don't wait.
PAYMENTS_RETRY_BACKOFF_MAX = int(os.environ.get("PAYMENTS_RETRY_BACKOFF_MAX", "600"))
