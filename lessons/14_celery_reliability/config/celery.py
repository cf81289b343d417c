"""The Celery app of this Django project (lesson 12's answer; `celery -A config worker` loads it)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# For the lesson's tests only (they set the variable). Celery's prefork pool notices a SIGKILLed pool
# process when that process's sentinel pipe closes; but the pipe can close a moment before the kernel
# lets the parent reap the process, and then only the pool's 5-second maintenance timer notices the
# death. The tests kill pool processes on purpose and can't wait 5 s each time, so the timer runs more
# often. This changes *when* a crash is noticed, never what happens to the task.
if os.environ.get("LESSON_POOL_MAINTENANCE_INTERVAL"):
    from celery.concurrency.asynpool import AsynPool

    _interval = float(os.environ["LESSON_POOL_MAINTENANCE_INTERVAL"])
    AsynPool.timers = property(lambda pool: {pool.maintain_pool: _interval})
