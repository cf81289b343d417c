"""Settings of the lesson 12 project: accounts that get a welcome mail, and a slow job page.

Course-owned. The Celery settings live in celery_settings.py (your exercise 1) and are imported at the
end. Everything that differs between machines comes from the environment (12-factor)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# A private folder the checker gives each test run; `awaitlings run 12` and your shell use the lesson folder.
SCRATCH = Path(os.environ.get("AWAITLINGS_SCRATCH", BASE_DIR))

SECRET_KEY = os.environ.get("SECRET_KEY", "awaitlings-lesson-12-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "accounts",
    "jobs",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

# SQLite by default, any database through DATABASE_URL. A worker is another process: it can only see
# rows in a database file (or server), never in SQLite's in-memory test database, so tests use a file.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH / "test-db.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 10  # a worker may write while a test reads

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Seoul"

# Mail goes to files (one per message) so that tests and you can read what a worker process sent.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(SCRATCH / "sent-mail"))
DEFAULT_FROM_EMAIL = "awaitlings <hello@example.com>"

LOGGING = {"version": 1, "disable_existing_loggers": False}

from .celery_settings import *  # noqa: E402,F403 - exercise 1: the CELERY_* settings
