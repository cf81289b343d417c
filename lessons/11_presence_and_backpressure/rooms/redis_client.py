"""One redis.asyncio client per event loop: a client's connections belong to the loop that made them."""

import asyncio
import weakref

import redis.asyncio as aioredis
from django.conf import settings

_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]" = weakref.WeakKeyDictionary()


def get_redis() -> aioredis.Redis | None:
    """The shared client for this loop, or None when no REDIS_URL is configured."""
    if not settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        # Short timeouts: while Redis is down a heartbeat should fail fast, not hang for 5 s.
        client = aioredis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        _clients[loop] = client
    return client
