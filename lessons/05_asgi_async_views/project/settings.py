"""Settings of the lesson's mini-project: a shop front that asks a slow upstream service for data.

No database and no contrib apps: every view here only waits on HTTP, which is the point of the lesson.
Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "awaitlings-05-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS: list[str] = []
# Both are async-capable, so an async view runs with no sync/async switch on the way in or out.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "project.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
    }
]
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"
DATABASES: dict = {}
USE_TZ = True

# --8<-- [start:upstream]
# Where the slow upstream service lives (`python -m uvicorn upstream:app --port 8001`).
UPSTREAM_URL = os.environ.get("UPSTREAM_URL", "http://127.0.0.1:8001").rstrip("/")
# How long /ex02/ping pretends to wait on I/O, in seconds.
PING_DELAY = float(os.environ.get("PING_DELAY", "0.1"))
# --8<-- [end:upstream]
