"""Exercise 2: a periodic job's body runs once per slot, however many times it is sent.

Two beats (a second deploy, a scaled-up container, a forgotten cron box) send every periodic task twice.
Instead of trusting that only one beat ever runs, each job claims its slot in Redis before it works.
Right now nothing is claimed: every copy of a run does the work.
"""

from __future__ import annotations

import functools
import time

from apps.common.store import redis_client  # noqa: F401 - the run's Redis, for your claim


def claim(job: str, slot: int, ttl: float) -> bool:
    """True for the first caller of (job, slot), False for everyone after it, in any process."""
    # TODO: claim the key for (job, slot) in Redis in one atomic step, and let it expire after `ttl`
    #       seconds; say whether this caller got it.
    return True


def once_per_slot(seconds: float, *, clock=time.time):
    """Decorate a task's function: its body runs at most once per `seconds`-long slot."""

    def decorate(func):
        job = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            # TODO: work out which slot `clock()` is in, and return None without running `func` unless
            #       this call claimed (job, slot).
            return func(*args, **kwargs)

        return wrapper

    return decorate
