"""Settings of the capstone: notifications + chat + PDF reports, on several processes.

Course-owned. Everything that differs between machines comes from the environment (12-factor):
REDIS_URL (channel layer, broker, results, the chat cooldown), DATABASE_URL (SQLite by default,
PostgreSQL in CI and production), and where files go."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
# A private folder the checker gives each test run; `awaitlings run 17` and your shell use var/ here.
SCRATCH = Path(os.environ.get("AWAITLINGS_SCRATCH", BASE_DIR / "var"))
SCRATCH.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "awaitlings-capstone-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "teams",
    "chat",
    "reports",
    "realtime",
    "web",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# --8<-- [start:database]
# SQLite by default, PostgreSQL (or anything) through DATABASE_URL. Workers are other processes: tests
# share a database *file* with them (TEST NAME under the run's scratch folder), never SQLite in memory.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{SCRATCH / 'db.sqlite3'}", conn_max_age=0)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH / "test-db.sqlite3")}
    # Two web servers and two workers write to one file: WAL lets readers run beside the writer, and
    # BEGIN IMMEDIATE takes the write lock up front instead of failing halfway with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# --8<-- [end:database]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Seoul"
LOGGING = {"version": 1, "disable_existing_loggers": False}

# --8<-- [start:storage]
# Reports are written through Django's storage API (report.file.save): local files here, S3 or GCS is a
# change of this setting only (e.g. django-storages' S3Storage), never of the task's code.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", SCRATCH / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# --8<-- [end:storage]

# --8<-- [start:redis]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# One Redis carries three things here; in production give each its own database or instance.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # capacity: frames waiting per connection before group_send drops more (the bench stays below it).
        # socket_timeout: redis-py 8 defaults to 5 s, exactly the layer's blocking wait for the next message
        # (BZPOPMIN, 5 s): an idle connection then dies with "Timeout reading from ...". Give it room.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "prefix": "capstone",
                   "capacity": 200, "expiry": 60},
    }
}
# --8<-- [end:redis]

# --8<-- [start:celery]
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long PDF never sits behind another in one pool process
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-PDF: the report is delivered again (lesson 14)
CELERY_TASK_REJECT_ON_WORKER_LOST = True

# Two queues, one worker each in production: slow PDFs never delay moderation.
# A worker started without -Q consumes both (the tests' shared worker does).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("reports"))
CELERY_TASK_ROUTES = {"reports.tasks.render_report": {"queue": "reports"}}

# Exactly one beat process sends this (lesson 15). CLEANUP_EVERY_SECONDS lets a test run it quickly.
CELERY_BEAT_SCHEDULE = {
    "cleanup-old-reports-hourly": {
        "task": "reports.tasks.cleanup_old_reports",
        "schedule": float(os.environ["CLEANUP_EVERY_SECONDS"]) if os.environ.get("CLEANUP_EVERY_SECONDS")
        else crontab(minute=0),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(SCRATCH / "celerybeat-schedule")
# --8<-- [end:celery]

# --8<-- [start:product]
REPORT_MAX_AGE_HOURS = float(os.environ.get("REPORT_MAX_AGE_HOURS", 24))  # older reports are cleaned up
REPORT_STEP_DELAY = float(os.environ.get("REPORT_STEP_DELAY", 0.0))  # seconds per PDF section (a heavy query)
CHAT_COOLDOWN_SECONDS = float(os.environ.get("CHAT_COOLDOWN_SECONDS", 1.0))  # per user, across every server
CHAT_MAX_LENGTH = 500
BANNED_WORDS = ["spam", "scam", "idiot", "바보"]
# --8<-- [end:product]
