"""The Celery app of every worker and the beat: the capstone's app (its queues, routes and schedule),
with this lesson's request ids and shutdown policy. Course-owned.

    celery -A deploy worker -Q reports -n reports@%h
    celery -A deploy beat
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")

from celery.signals import after_setup_logger, after_setup_task_logger  # noqa: E402

from config.celery import app  # noqa: E402 - the capstone's app, configured from deploy.settings
from deploy import request_id, shutdown  # noqa: E402

# --8<-- [start:celery]
request_id.connect_celery()  # publish: the id goes into the message's headers; run: back into the context
app.conf.update(shutdown.CELERY)  # how a worker stops (exercise 4)
app.conf.worker_task_log_format = (
    "[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] %(task_name)s[%(task_id)s]: %(message)s")
app.conf.worker_log_format = "[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] %(message)s"
# --8<-- [end:celery]


@after_setup_logger.connect
@after_setup_task_logger.connect
def _add_request_id_filter(logger, **kwargs):
    for handler in logger.handlers:
        handler.addFilter(request_id.RequestIdFilter())


import deploy.tasks  # noqa: E402,F401 - the lab's own tasks (deploy isn't an installed app)
