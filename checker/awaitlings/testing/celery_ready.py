"""Imported by test workers (`celery worker --include awaitlings.testing.celery_ready`): when the worker
is ready to take tasks it writes what it knows to $AWAITLINGS_CELERY_READY, so a test waits for the
real moment (not a sleep) and can say which of the learner's tasks the worker never registered."""

import json
import os

from celery.signals import worker_ready


@worker_ready.connect
def _announce(sender=None, **_):
    path = os.environ.get("AWAITLINGS_CELERY_READY")
    if not path or sender is None:
        return
    app = sender.app
    try:
        queues = sorted(q.name for q in sender.task_consumer.queues)
    except Exception:  # noqa: BLE001 - an unusual consumer still counts as ready
        queues = []
    info = {
        "hostname": sender.hostname,
        "pid": os.getpid(),
        "tasks": sorted(name for name in app.tasks if not name.startswith("celery.")),
        "queues": queues,
    }
    with open(f"{path}.tmp", "w", encoding="utf-8") as out:
        json.dump(info, out)
    os.replace(f"{path}.tmp", path)
