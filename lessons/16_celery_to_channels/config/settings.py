"""Settings of the lesson 16 project: Django 5.2 + Channels 4.3 + Celery 5.7 on Redis.

Course-owned. Everything that differs between machines comes from the environment:
  REDIS_URL           the Celery broker and result backend (and the channel layer, unless...)
  CHANNELS_REDIS_URL  ...the channel layer has a Redis of its own (tests use one they can stop)
  CHANNEL_LAYER       "redis" (default) or "memory", to see for yourself why memory can't work here
  DATABASE_URL        any database; SQLite in the lesson folder by default
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# A private folder the checker gives each test run; `awaitlings run 16` and your shell use the lesson folder.
SCRATCH = Path(os.environ.get("AWAITLINGS_SCRATCH", BASE_DIR))

SECRET_KEY = os.environ.get("SECRET_KEY", "awaitlings-lesson-16-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "realtime",
    "reports",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request"]}}]

# A worker and a server are other processes: they share a database *file* (or server) with the tests.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(SCRATCH / "test-db.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 10

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Seoul"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --8<-- [start:celery]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 50
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# --8<-- [end:celery]

# --8<-- [start:layers]
# The channel layer is how a worker process reaches a WebSocket held by a server process: both must
# use the same Redis. The in-memory layer lives inside one process, so a worker's group_send to it
# reaches nobody (tests/test_examples.py shows it: no error, no message).
CHANNELS_REDIS_URL = os.environ.get("CHANNELS_REDIS_URL", REDIS_URL)
if os.environ.get("CHANNEL_LAYER", "redis") == "memory":
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CHANNELS_REDIS_URL]},  # a list, even for one Redis
        }
    }
# --8<-- [end:layers]

# The job of this lesson: `steps` rounds of work, each STEP_SECONDS long.
REPORT_MAX_STEPS = 100
REPORT_STEP_SECONDS = float(os.environ.get("REPORT_STEP_SECONDS", "0.03"))  # `awaitlings run 16`: 0.08
