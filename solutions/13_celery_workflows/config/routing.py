"""Exercise 3: which task goes to which queue (config/settings.py imports this file)."""

# --8<-- [start:solution]
# A route matches the task's name, "<module>.<function>": the apps here are `reports` and `notifications`
# (the blog post's project kept them under `apps.`, so its patterns matched nothing here).
CELERY_TASK_ROUTES = {
    "reports.tasks.*": {"queue": "reports"},
    "notifications.tasks.*": {"queue": "noti"},
}
# --8<-- [end:solution]
