"""Settings of the lesson 08 project: the smallest Django 5.2 + Channels 4.3 setup.

No database: nothing here stores data, so the project starts fast and tests need no migrations."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "lesson-08-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# --8<-- [start:installed_apps]
INSTALLED_APPS = [
    # First, before staticfiles: daphne's `runserver` must win over Django's WSGI one, or /ws/ gives 404.
    "daphne",
    "django.contrib.staticfiles",
    "realtime",
]

# What daphne's runserver (and `awaitlings run 08`) serves.
ASGI_APPLICATION = "project.asgi.application"
# --8<-- [end:installed_apps]

# One process, so the in-memory layer is enough; lesson 09 switches to Redis for several processes.
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

ROOT_URLCONF = "project.urls"
DATABASES = {}
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
STATIC_URL = "static/"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
