"""Where the periodic jobs write down what they did: Redis, one list per job. Course-owned.

A worker is another process: the tests (and you, in the notebook) can't see its memory, but they can
read these lists. `record_run("cleanup_temp")` appends the moment the job ran."""

from __future__ import annotations

import functools
import time

import redis
from django.conf import settings

RUNS = "runs:{job}"


@functools.cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def record_run(job: str) -> None:
    redis_client().rpush(RUNS.format(job=job), f"{time.time():.6f}")


def runs(job: str, client: redis.Redis | None = None) -> list[float]:
    """When `job` ran, oldest first (seconds since the epoch)."""
    return [float(t) for t in (client or redis_client()).lrange(RUNS.format(job=job), 0, -1)]


def slot_seconds(seconds: float) -> float:
    """A job's slot length: `seconds`, or the fast test clock's (BEAT_TEST_SECONDS) when one is set."""
    return getattr(settings, "BEAT_TEST_SECONDS", None) or seconds
