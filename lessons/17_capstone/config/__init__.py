"""The project package: importing it creates the Celery app (lesson 12), so `@shared_task` binds to it."""

from .celery import app as celery_app

__all__ = ("celery_app",)
