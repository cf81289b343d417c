"""Lesson 12 fixtures: the lesson's prerequisites in one sentence. Workers, Redis, the mail a worker sent
and the record of published tasks come from awaitlings (`celery_worker`, `sent_mail`, `published_tasks`)."""

from __future__ import annotations

import os

import pytest
from awaitlings.testing import fail


def app_problem() -> str:
    """Why exercise 1's app can't carry tasks yet ("" when it can). Checked before any worker starts or
    any task is sent: a wrong broker here would mean talking to someone else's Redis (or RabbitMQ)."""
    try:
        import config
    except Exception as error:  # noqa: BLE001
        return f"config/__init__.py raised {type(error).__name__}: {error}"
    app = getattr(config, "celery_app", None)
    if app is None:
        return "config/__init__.py doesn't export `celery_app`"
    from celery import current_app

    if current_app._get_current_object() is not app:  # noqa: SLF001
        return "`celery_app` is not the current app, so @shared_task tasks would use another one"
    want = os.environ.get("REDIS_URL", "")
    if app.conf.broker_url != want:
        return f"the app's broker is {app.conf.broker_url!r}, not $REDIS_URL ({want})"
    return ""


@pytest.fixture
def worker(celery_worker):
    """The run's real worker process, once exercise 1's app is right: the test process sends with the
    learner's settings, so they are checked before anything is sent (see app_problem)."""
    problem = app_problem()
    if problem:
        fail(f"This exercise runs tasks on a real worker, which needs exercise 1's Celery app first: {problem}.")
    return celery_worker
