"""Exercise 1: the CELERY_* settings, as a real project needs them (config/settings.py imports this).

Copied from a blog post, and two things are wrong with it: the broker is not taken from the environment,
and one name is the deprecated pre-4.0 spelling. Several settings a production worker needs are missing.
"""

# --8<-- [start:seed]
CELERY_BROKER_URL = "redis://localhost:6379/0"
CELERYD_PREFETCH_MULTIPLIER = 4
# --8<-- [end:seed]

# TODO: broker and result backend from the environment variable REDIS_URL (both; default
#       "redis://127.0.0.1:6379/0").
# TODO: JSON only: task serializer, result serializer, accepted content.
# TODO: the time zone of the schedule: "Asia/Seoul".
# TODO: a hard time limit of 60 s and a soft one of 50 s per task.
# TODO: replace each pool process after 1000 tasks (a leak can't grow forever).
# TODO: prefetch 1 message per process (tasks here are slow), with the name Celery reads today.
