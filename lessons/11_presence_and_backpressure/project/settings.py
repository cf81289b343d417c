"""Settings of the lesson 11 project: rooms with presence, heartbeats and bounded send queues.

REDIS_URL (e.g. redis://127.0.0.1:6379/0) selects the Redis channel layer and the Redis presence
store; `awaitlings run 11` starts a private redis-server and sets it. Without it the channel layer
is in-memory and presence is switched off (the page says so)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "lesson-11-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "daphne",  # first: its runserver must win over Django's WSGI one
    "django.contrib.staticfiles",
    "rooms",
]
ASGI_APPLICATION = "project.asgi.application"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # capacity: messages waiting per channel before group_send starts dropping (default 100).
            # socket_timeout: redis-py 8 defaults to 5 s, the layer's own blocking wait for the next message,
            # so an idle connection would die with "Timeout reading from ...".
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "capacity": 100, "expiry": 60,
                       "prefix": "lesson11"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --8<-- [start:tuning]
HEARTBEAT_INTERVAL = 5.0  # seconds between the page's heartbeats
PRESENCE_TTL = float(os.environ.get("PRESENCE_TTL", 15.0))  # no heartbeat this long: offline (3 missed beats)
OUTBOX_MAXSIZE = 50  # frames waiting for one slow client before the oldest are dropped
LAYER_RETRY_DELAY = 0.5  # seconds between reconnection attempts while the layer is down
# --8<-- [end:tuning]

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
