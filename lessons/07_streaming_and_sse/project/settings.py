"""Settings of the lesson 07 mini-project: a live ticker streamed over HTTP, served by uvicorn.

No database: every stream comes from live/feed.py. The timings come from the environment so that
tests can run the same code fast (`awaitlings run 07` uses the defaults)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "awaitlings-lesson-07-not-a-secret"
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = ["live"]
MIDDLEWARE = []
ROOT_URLCONF = "project.urls"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True}]
DATABASES = {}
USE_TZ = True

# Seconds between two lines of the countdown (exercise 1).
COUNTDOWN_STEP = float(os.environ.get("COUNTDOWN_STEP", "1.0"))
# The ticker feed (live/feed.py): seconds between events, and the seed that makes event n what it is.
FEED_INTERVAL = float(os.environ.get("FEED_INTERVAL", "1.0"))
FEED_SEED = int(os.environ.get("FEED_SEED", "7"))
# How long a browser waits before reconnecting to a dropped stream (the SSE `retry:` field), in ms.
SSE_RETRY_MS = 2000
