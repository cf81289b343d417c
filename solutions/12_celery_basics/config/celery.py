"""Exercise 1: the Celery app of this Django project (`celery -A config worker` loads it)."""

import os

from celery import Celery

# The worker is not started by manage.py: without this default it wouldn't know which settings to load.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")

# --8<-- [start:config]
# Every setting comes from Django's settings, under the CELERY_ prefix: CELERY_BROKER_URL → broker_url.
app.config_from_object("django.conf:settings", namespace="CELERY")
# Import <app>/tasks.py of every installed app, so the worker knows every @shared_task.
app.autodiscover_tasks()
# --8<-- [end:config]
