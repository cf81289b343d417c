"""Settings of the lesson 15 project: periodic housekeeping and a morning digest, scheduled by Celery beat.

Course-owned. Your exercises are the modules imported at the end: the schedule (beat_schedule.py) and
where beat keeps its own state (beat_state.py). Everything that differs between machines comes from
the environment (12-factor), as in lesson 12."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# A private folder the checker gives each test run; `awaitlings run 15` and your shell use var/ here.
SCRATCH = Path(os.environ.get("AWAITLINGS_SCRATCH", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "awaitlings-lesson-15-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = ["apps.common", "apps.housekeeping", "apps.notifications"]
DATABASES = {}  # the periodic jobs here keep what they did in Redis
USE_TZ = True
TIME_ZONE = "Asia/Seoul"
LOGGING = {"version": 1, "disable_existing_loggers": False}

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # nobody waits for a periodic task's result
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

from .beat_schedule import *  # noqa: E402,F403 - exercise 1: CELERY_TIMEZONE and CELERY_BEAT_SCHEDULE
from .beat_state import *  # noqa: E402,F403 - exercise 3: where beat keeps its state, and how often

# Beat doesn't create the folder of its schedule file (in production it is a mounted volume).
Path(CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)  # noqa: F405

# --8<-- [start:fast_clock]
# Tests (and the notebook) can't wait an hour for an hourly job. With BEAT_TEST_SECONDS set, every entry
# of your schedule keeps its name and task but runs on a fast clock instead: due at every multiple of
# that many seconds, like crontab's minute=0 is due at every multiple of 3600. Slots shrink with it.
BEAT_TEST_SECONDS = float(os.environ.get("BEAT_TEST_SECONDS") or 0) or None
if BEAT_TEST_SECONDS:
    from .fast_clock import on_fast_clock

    CELERY_BEAT_SCHEDULE = on_fast_clock(CELERY_BEAT_SCHEDULE, BEAT_TEST_SECONDS)  # noqa: F405
# --8<-- [end:fast_clock]
