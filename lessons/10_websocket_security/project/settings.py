"""Settings of the lesson 10 project: Django 5.2 + Channels 4.3 with sessions, users and a database.

Security-relevant values live here so the tests and the consumer read the same numbers."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "lesson-10-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
# The WebSocket Origin check reuses this list. "localhost" is left out on purpose: the mini-project
# serves a hostile page from http://localhost:8001 to show a cross-site socket being refused.
ALLOWED_HOSTS = ["127.0.0.1", "testserver"]

INSTALLED_APPS = [
    "daphne",  # first: its runserver must win over Django's WSGI one
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "chat",
]
ASGI_APPLICATION = "project.asgi.application"
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "project.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        # Tests get their own in-memory database (no TEST NAME: never point it at this file).
        "NAME": os.environ.get("LESSON10_DB", BASE_DIR / "db.sqlite3"),
    }
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
STATIC_URL = "static/"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/login/"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --8<-- [start:limits]
# WebSocket limits enforced by the chat consumer (chat/consumers.py) through the exercises.
WS_TICKET_TTL = 30  # seconds a one-time connection ticket stays valid
WS_MAX_MESSAGE_BYTES = 2048  # UTF-8 bytes per text frame; daphne/uvicorn's own cap is 1 MiB
WS_RATE_BURST = 10  # messages a client may send at once...
WS_RATE_PER_SECOND = 2.0  # ...and the steady rate after that
# --8<-- [end:limits]
