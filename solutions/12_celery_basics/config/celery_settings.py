"""Exercise 1: the CELERY_* settings, as a real project needs them (config/settings.py imports this)."""

import os

# --8<-- [start:settings]
# One Redis for the lesson; in production the broker and the results often get databases of their own.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL

# JSON only: a pickle payload from the broker would run code in the worker.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Seoul"

CELERY_TASK_TIME_LIMIT = 60  # hard: the pool process is killed
CELERY_TASK_SOFT_TIME_LIMIT = 50  # soft: SoftTimeLimitExceeded is raised in the task, which may clean up
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000  # a slow leak can't grow forever
# Not CELERYD_PREFETCH_MULTIPLIER: that is the pre-4.0 name (deprecated, removed in Celery 6).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# --8<-- [end:settings]
