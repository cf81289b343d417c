"""The project package. Exercise 1: make sure the Celery app is created whenever Django starts, so
that `@shared_task` functions bind to it (and `.delay()` sends to the right broker)."""

# TODO: import the app from .celery as `celery_app` and list it in __all__.
