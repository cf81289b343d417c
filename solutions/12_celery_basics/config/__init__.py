"""The project package. Importing it creates the Celery app, so `@shared_task` functions bind to it
whenever Django starts (in runserver, uvicorn, the shell, tests and the worker alike)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
