"""The project package. Importing it creates the Celery app (lesson 12), so `@shared_task` functions bind
to it whenever Django starts: in uvicorn, the shell, tests and the worker alike."""

from .celery import app as celery_app

__all__ = ("celery_app",)
