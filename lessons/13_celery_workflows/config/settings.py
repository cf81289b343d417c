"""Settings of the lesson 13 project: the seed's report pipeline on Celery, with queues per app.

Course-owned, except config/routing.py (exercise 3), imported at the end. Lesson 12 explained every
CELERY_* setting here; what is new is CELERY_TASK_QUEUES."""

import os
from pathlib import Path

import dj_database_url
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
# A private folder the checker gives each test run; `awaitlings run 13` and your shell use var/ here.
SCRATCH = Path(os.environ.get("AWAITLINGS_SCRATCH", BASE_DIR / "var"))
# Where render_pdf writes its files and upload_storage "uploads" them (a folder standing in for S3).
RENDER_DIR = SCRATCH / "rendered"
STORAGE_ROOT = SCRATCH / "storage"
# Where notifications.tasks.notify "sends" its messages (one JSON file each), and the task trace.
OUTBOX_DIR = SCRATCH / "outbox"
TRACE_FILE = SCRATCH / "trace.jsonl"

SECRET_KEY = os.environ.get("SECRET_KEY", "awaitlings-lesson-13-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = ["reports", "notifications", "alerts", "web"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

# No models here, but pytest-django and the worker expect a database: a file, as in lesson 12.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{SCRATCH / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH / "test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Seoul"
LOGGING = {"version": 1, "disable_existing_loggers": False}

# --8<-- [start:celery]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL  # chords need one: the body runs when every member's result is in
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 50
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# The queues of this project. A worker started without -Q consumes all of them (handy on a laptop);
# in production each queue gets workers of its own: `celery -A config worker -Q reports -n reports@%h`.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("reports"), Queue("noti"))
# --8<-- [end:celery]

from .routing import *  # noqa: E402,F403 - exercise 3: which task goes to which queue
