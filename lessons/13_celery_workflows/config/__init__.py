"""The project package: importing it creates the Celery app, so `@shared_task` binds to it (lesson 12)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
