"""Exercise 3: the CELERY_* settings (config/settings.py imports this)."""

import os

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --8<-- [start:limits]
CELERY_TASK_TIME_LIMIT = 60  # hard: the pool process is killed (SIGKILL) and replaced
CELERY_TASK_SOFT_TIME_LIMIT = 50  # soft: SoftTimeLimitExceeded is raised inside the task, which cleans up
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000  # a slow leak in a pool process can't grow forever
# --8<-- [end:limits]

# --8<-- [start:at_least_once]
# Ack after the task returns: a worker that dies mid-task hasn't acked, so the broker delivers it again.
CELERY_TASK_ACKS_LATE = True
# A killed *pool process* would still be acked by the main process (and the task lost): reject instead,
# so the message goes back to the queue at once. Every task must then be idempotent.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With a 1-message prefetch a dying worker holds only what it runs; the rest stay in the queue for others.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis has no acks: an unacked message returns to the queue when its visibility timeout passes.
# Longer than your longest task (and any countdown/ETA), or a running task is delivered a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": float(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
# Cold shutdown (SIGQUIT; a container's SIGTERM with REMAP_SIGTERM=SIGQUIT): running tasks get 10 s to
# finish, then the worker cancels them and puts their messages back at once (not after the visibility timeout).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10.0
# --8<-- [end:at_least_once]
