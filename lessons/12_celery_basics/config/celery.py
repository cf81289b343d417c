"""Exercise 1: the Celery app of this Django project (`celery -A config worker` loads it).

Right now it is the first thing most tutorials show, and it half works: the broker is written into the
code, Django's settings are never read, and the worker only knows tasks that someone imported by hand.
"""

from celery import Celery

# TODO: let the worker find Django's settings: set the DJANGO_SETTINGS_MODULE default ("config.settings").

app = Celery("config", broker="redis://localhost:6379/0")

# TODO: read every CELERY_* setting from Django's settings (one call, with namespace="CELERY").
# TODO: find the tasks.py module of every installed app (one call).
