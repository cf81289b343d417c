"""Settings of the lesson 09 chat: Django 5.2 + Channels 4.3, the channel layer chosen from the environment."""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "lesson-09-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "daphne",  # first: its ASGI runserver must win over staticfiles' WSGI one
    "django.contrib.staticfiles",
    "chat",
]
ASGI_APPLICATION = "project.asgi.application"

try:
    from project.layers import channel_layers

    CHANNEL_LAYERS = channel_layers(os.environ)
except Exception as error:  # noqa: BLE001
    # ex02 lives in project/layers.py; a broken one must not take the other exercises down with it.
    # Its own tests import it directly and report the problem.
    print(f"project/layers.py failed ({type(error).__name__}: {error}); using the in-memory layer", file=sys.stderr)
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
    # group_send drops messages for full channels and says so only here, at INFO.
    "loggers": {"channels_redis": {"level": "INFO"}},
}
