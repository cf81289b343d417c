"""Exercise 3: which task goes to which queue (config/settings.py imports this file).

Copied from the blog post (section H-3). The project's apps are `reports` and `notifications`, and the
workers are started per queue: `celery -A config worker -Q reports -n reports@%h` and `-Q noti -n noti@%h`.
Yet every task still lands in the default queue "celery".
"""

# --8<-- [start:starter]
# TODO: a route matches the task's *name*, which is "<module>.<function>" (e.g.
#       "reports.tasks.build_dataset"). Make report tasks go to "reports" and notification tasks to "noti".
CELERY_TASK_ROUTES = {
    "apps.reports.tasks.*": {"queue": "reports"},
    "apps.notifications.tasks.*": {"queue": "noti"},
}
# --8<-- [end:starter]
