"""The lab's tasks (course-owned): one that reports what it sees, one that takes a while."""

import logging
import os
import time

from celery import shared_task

from deploy.request_id import current_request_id

logger = logging.getLogger(__name__)


@shared_task(name="deploy.whoami")
def whoami() -> dict:
    rid = current_request_id()
    logger.info("whoami in worker pid %s", os.getpid())
    return {"request_id": rid, "pid": os.getpid()}


@shared_task(name="deploy.nap", acks_late=True)
def nap(seconds: float, gate: str | None = None) -> float:
    """A task that is running when the worker is told to stop. With a `gate` (a file path) it first waits
    until that file exists (at most 30 s), then naps: the tests open the gate once the worker's shutdown
    has begun, so the task is certainly still running then, however slow the machine."""
    logger.info("napping %.1f s in pid %s", seconds, os.getpid())
    deadline = time.monotonic() + 30
    while gate and not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(seconds)
    logger.info("nap done")
    return seconds
