"""Fixtures for lesson 11 (from awaitlings.testing: `private_redis`, a redis-server the test can stop and
start again, and `ws`, in-process WebSocket clients):

- `redis`: a redis.asyncio client on the `redis_url` fixture ($REDIS_URL or a private redis-server);
- `direct_outbox`: a plain FIFO in place of exercise 2's Outbox, for the other exercises' tests.
Every wait has a timeout; every client, connection and process is closed when the test ends."""

import asyncio

import pytest


@pytest.fixture(autouse=True)
def _fresh_layer(fresh_channel_layer):
    """Each test gets new layer objects: their queues and Redis pools belong to one event loop."""


@pytest.fixture
async def redis(redis_url):
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


class DirectOutbox:
    """A plain FIFO in place of exercise 2's Outbox, so other exercises' tests don't depend on it."""

    def __init__(self, send, maxsize=0):
        self.send = send
        self.queue: asyncio.Queue = asyncio.Queue()

    def offer(self, message, key=None):
        self.queue.put_nowait(message)

    async def run(self):
        while True:
            await self.send(await self.queue.get())

    async def close(self, timeout=1.0):
        pass


@pytest.fixture
def direct_outbox():
    return DirectOutbox
