"""The payment provider (course-owned): `charge(order_id, amount)` takes `PROVIDER_LATENCY` seconds and
charges the card, every time it is called. It is observable from every process: each call is counted
in Redis, each charge is a row in the Charge table.

Tests (and you, in the notebook) script what the next calls for an order do:

    provider.script(order_id, "unavailable", "timeout")   # two transient failures, then success
    provider.script(order_id, "declined")                 # declined, on every call (a business error)
"""

from __future__ import annotations

import json
import os
import time
from functools import lru_cache

import redis
from django.conf import settings


class ProviderError(Exception):
    """Anything the provider answers with instead of a charge."""


class ProviderUnavailable(ProviderError, ConnectionError):
    """503 / connection refused: the provider is down for a moment. Transient: worth trying again."""


class ProviderTimeout(ProviderError, TimeoutError):
    """No answer in time. Transient: worth trying again."""


class CardDeclined(ProviderError):
    """The bank said no. A business error: asking again gives the same answer (and annoys the bank)."""


TRANSIENT = {"unavailable": ProviderUnavailable, "timeout": ProviderTimeout}


@lru_cache(maxsize=1)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True)


def store() -> redis.Redis:
    return _redis(settings.REDIS_URL)


def script(order_id: int, *outcomes: str) -> None:
    """What the next calls for this order do, in order: "unavailable", "timeout", "declined" (sticky)."""
    store().rpush(f"provider:plan:{order_id}", *outcomes)


def calls(order_id: int) -> int:
    """How many times the provider was called for this order (failures included)."""
    return int(store().get(f"provider:calls:{order_id}") or 0)


def log() -> list[dict]:
    """Every call: order, outcome, the calling process, start and end (time.time())."""
    return [json.loads(line) for line in store().lrange("provider:log", 0, -1)]


def inflight() -> dict[int, int]:
    """The calls under way: {pid of the worker process: order id}."""
    return {int(pid): int(order) for pid, order in store().hgetall("provider:inflight").items()}


def reset() -> None:
    r = store()
    keys = list(r.scan_iter("provider:*"))
    if keys:
        r.delete(*keys)


# --8<-- [start:charge]
def charge(order_id: int, amount: int) -> int:
    """Charge the card for an order; return the charge id. Raises ProviderUnavailable, ProviderTimeout
    (transient) or CardDeclined (business)."""
    from .models import Charge

    r = store()
    r.incr(f"provider:calls:{order_id}")
    r.hset("provider:inflight", os.getpid(), order_id)  # who is charging what, right now
    started = time.time()
    outcome = r.lpop(f"provider:plan:{order_id}") or "ok"
    if outcome == "declined":
        r.lpush(f"provider:plan:{order_id}", "declined")  # a declined card stays declined
    try:
        time.sleep(settings.PROVIDER_LATENCY)  # the network and the bank: a worker killed now charged nothing
    finally:
        r.hdel("provider:inflight", os.getpid())
    entry = {"order": order_id, "outcome": outcome, "pid": os.getpid(), "start": started}
    if outcome in TRANSIENT:
        r.rpush("provider:log", json.dumps({**entry, "end": time.time()}))
        raise TRANSIENT[outcome](f"payment provider {outcome} (order {order_id})")
    if outcome == "declined":
        r.rpush("provider:log", json.dumps({**entry, "end": time.time()}))
        raise CardDeclined(f"card declined (order {order_id})")
    charge_row = Charge.objects.create(order_id=order_id, amount=amount, pid=os.getpid())
    r.rpush("provider:log", json.dumps({**entry, "end": time.time()}))
    return charge_row.id
# --8<-- [end:charge]
