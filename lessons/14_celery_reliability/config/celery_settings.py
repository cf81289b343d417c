"""Exercise 3: the CELERY_* settings (config/settings.py imports this).

This is where lesson 12 left them: right for a worker that never dies. Celery's defaults acknowledge a
message *before* the task runs, so a worker killed mid-task (an OOM kill, a deploy, a crashed node)
takes the task with it: the broker has already forgotten it. Make delivery at-least-once.
"""

import os

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# TODO: a hard time limit of 60 s and a soft one of 50 s per task.
# TODO: replace each pool process after 1000 tasks.

# TODO: acknowledge a message only after its task has finished (not when it starts).
# TODO: ... and also when the pool process running it was killed: put the message back on the queue.
# TODO: the Redis broker's visibility timeout (seconds), from the environment variable
#       CELERY_VISIBILITY_TIMEOUT (default 3600), in CELERY_BROKER_TRANSPORT_OPTIONS.
# TODO: on a cold shutdown, give running tasks 10 s to finish first (the soft shutdown timeout): then the
#       worker puts what's unfinished back at once instead of after the visibility timeout.
