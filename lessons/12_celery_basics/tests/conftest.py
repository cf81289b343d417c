"""Lesson 12 fixtures: the lesson's prerequisites in one sentence, the mail the worker sent, and the
tasks the test process published. Workers and Redis come from awaitlings (`celery_worker`)."""

from __future__ import annotations

import email
import os
import time
from pathlib import Path

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


class Outbox:
    """The mail the worker sent, read from the file backend's folder (a worker's memory is out of reach)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def clear(self) -> None:
        if self.folder.exists():
            for path in self.folder.iterdir():
                path.unlink()

    def messages(self) -> list[email.message.Message]:
        if not self.folder.exists():
            return []
        return [email.message_from_bytes(p.read_bytes()) for p in sorted(self.folder.iterdir())]

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages() if address in (m.get("To") or "")]

    def wait_for(self, address: str, timeout: float = 5.0) -> email.message.Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if found:
                return found[0]
            time.sleep(0.02)
        fail(f"No mail to {address} arrived within {timeout:g} s.")
        raise AssertionError


@pytest.fixture
def outbox(settings) -> Outbox:
    box = Outbox(Path(settings.EMAIL_FILE_PATH))
    box.clear()
    return box


class Publishes:
    """Every task message the test process sent, and whether a transaction was open at that moment."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def __call__(self, sender=None, headers=None, **_) -> None:
        from django.db import connection

        self.sent.append({"task": sender, "id": (headers or {}).get("id"), "in_transaction": connection.in_atomic_block})

    def of(self, task: str) -> list[dict]:
        return [p for p in self.sent if p["task"] == task]


@pytest.fixture
def publishes():
    from celery.signals import after_task_publish

    recorder = Publishes()
    after_task_publish.connect(recorder, weak=False)
    yield recorder
    after_task_publish.disconnect(recorder)
