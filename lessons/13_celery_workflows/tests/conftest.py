"""Lesson 13 fixtures: what the workers produced (storage, outbox, trace)
and a way to wait for a whole workflow. Workers, Redis and the record of sent tasks come from awaitlings
(`celery_worker`, `celery_workers`, `redis_url`, `published_tasks`)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from awaitlings.testing import fail


@pytest.fixture
def token() -> str:
    """A label no other test uses (days, weeks and paths of one test never meet another's)."""
    return uuid.uuid4().hex[:8]


class Folder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, rel: str) -> str | None:
        path = self.root / rel
        return path.read_text(encoding="utf-8") if path.is_file() else None


@pytest.fixture
def storage(settings) -> Folder:
    return Folder(Path(settings.STORAGE_ROOT))


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[dict]:
        if not self.folder.exists():
            return []
        found = []
        for path in self.folder.glob("*.json"):
            try:
                found.append(json.loads(path.read_text(encoding="utf-8")))
            except ValueError:
                pass  # being written
        return found

    def wait_for(self, match, timeout: float = 2.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages() if match(m)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


@pytest.fixture
def outbox(settings) -> Outbox:
    return Outbox(Path(settings.OUTBOX_DIR))


@pytest.fixture
def trace(settings):
    """What the tasks recorded (reports.tasks.trace): a function returning the events so far."""

    def events(**match) -> list[dict]:
        path = Path(settings.TRACE_FILE)
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if all(event.get(k) == v for k, v in match.items()):
                out.append(event)
        return out

    return events


def _nodes(result) -> list:
    """A workflow's results: the last step, its parents, and the members of any group among them."""
    out, seen = [], set()
    todo = [result]
    while todo:
        node = todo.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        todo.append(getattr(node, "parent", None))
        todo.extend(getattr(node, "results", None) or [])
    return out


@pytest.fixture
def settle(celery_worker):
    """settle(result, what) waits for a sent workflow (on the run's worker) and returns the last step's
    value; a step that fails (or a workflow that never ends) fails the test with a sentence naming it."""
    from celery.result import GroupResult

    def wait(result, what: str, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while True:
            for node in _nodes(result):
                if not isinstance(node, GroupResult) and node.state == "FAILURE":
                    fail(f"{what}: a step failed on the worker with {node.result!r}.")
            if result.state == "SUCCESS":
                return result.result
            if time.monotonic() > deadline:
                states = ", ".join(f"{getattr(n, 'name', None) or 'group'}={n.state}" for n in _nodes(result)[:8])
                fail(f"{what} did not finish within {timeout:g} s ({states}).")
            time.sleep(0.01)

    return wait


@pytest.fixture
def side(redis_url):
    """Another database of the run's Redis, with a Celery app on it: the workers of this test must not
    meet the run's shared worker (which consumes every queue)."""
    import redis
    from celery import Celery
    from django.conf import settings

    base, _, db = redis_url.rpartition("/")
    url = f"{base}/{(int(db or 0) + 1) % 16}"
    app = Celery("side", broker=url, backend=url, set_as_current=False)
    app.conf.update(task_routes=settings.CELERY_TASK_ROUTES, task_queues=settings.CELERY_TASK_QUEUES,
                    task_default_queue=settings.CELERY_TASK_DEFAULT_QUEUE, result_backend=url)
    client = redis.Redis.from_url(url)
    client.delete(*[q.name for q in settings.CELERY_TASK_QUEUES])
    # Every way a worker could learn its broker points at this database (Celery reads CELERY_BROKER_URL
    # and CELERY_RESULT_BACKEND from the environment before any setting).
    env = {"REDIS_URL": url, "CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url}
    yield app, env, client
    client.close()
    app.close()
