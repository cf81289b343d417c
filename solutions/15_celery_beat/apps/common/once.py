"""Exercise 2: a periodic job's body runs once per slot, however many times it is sent.

Two beats (a second deploy, a scaled-up container, a forgotten cron box) send every periodic task twice.
Instead of trusting that only one beat ever runs, each job claims its slot in Redis before it works."""

from __future__ import annotations

import functools
import math
import time

from apps.common.store import redis_client


# --8<-- [start:claim]
def claim(job: str, slot: int, ttl: float) -> bool:
    """True for the first caller of (job, slot), False for everyone after it, in any process."""
    # SET NX is one atomic step in Redis: "set it if it isn't there" can't be split by another worker
    # the way `if not exists: set` can. EX lets the key go once no duplicate can still arrive.
    return bool(redis_client().set(f"once:{job}:{slot}", "1", nx=True, ex=max(1, math.ceil(ttl))))
# --8<-- [end:claim]


# --8<-- [start:once_per_slot]
def once_per_slot(seconds: float, *, clock=time.time):
    """Decorate a task's function: its body runs at most once per `seconds`-long slot."""

    def decorate(func):
        job = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)  # keeps the name, so Celery still registers the task as before
        def wrapper(*args, **kwargs):
            # The slot is the scheduled instant nearest to now: two beats' copies of one run (sent a few
            # ms apart, or by a beat whose clock is a little fast) name the same slot.
            slot = round(clock() / seconds)
            # The claim outlives the slot: a late duplicate still finds it.
            if not claim(job, slot, ttl=2 * seconds):
                return None
            return func(*args, **kwargs)

        return wrapper

    return decorate
# --8<-- [end:once_per_slot]
