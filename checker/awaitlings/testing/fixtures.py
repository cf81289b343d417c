"""The fixtures every lesson's tests get, without a conftest (awaitlings.plugin registers this module):

    target_folder   the folder holding the files under test
    redis_url       $REDIS_URL, or a private redis-server for the whole session
    private_redis   a redis-server of this test's own, to stop (an outage) and start again
    chromium_path   Debian's chromium for Playwright
    ws              WebSocket clients (websocket.py), all closed when the test ends
    fresh_channel_layer   new Channels layer objects for this test (their queues belong to one loop)
    within          `await within(seconds, awaitable, what)`: timing.within, as a fixture

Without Redis or a browser these skip locally with a one-line reason, and fail under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .core import target_root
from .timing import within as _within
from .services import HOW_TO_GET_REDIS, RedisServer, find_chromium, need_redis_server, redis_binary, unavailable
from .websocket import WebSocketClients


@pytest.fixture
def target_folder() -> Path:
    """The folder holding the files under test."""
    return target_root()


@pytest.fixture(scope="session")
def redis_url():
    """$REDIS_URL, or a private redis-server on a free port for this session (never the learner's data)."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if not redis_binary():
        unavailable("Redis", HOW_TO_GET_REDIS)
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.terminate()


@pytest.fixture
def private_redis(redis_url):
    """A redis-server only this test uses, that it can stop and start again on the same port. It needs
    the redis-server binary ($REDIS_URL alone won't do); it depends on redis_url only for its skip/fail
    rule when Redis isn't available at all."""
    with need_redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's chromium for Playwright (never a browser downloaded by a tool)."""
    path = find_chromium()
    if not path:
        unavailable("a Chromium browser", "`sudo apt-get install chromium` (or set AWAITLINGS_CHROMIUM)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        unavailable("Playwright for Python", "`pip install playwright` (no `playwright install` needed)")
    return path


@pytest.fixture
async def ws():
    """`await ws.open(app, path)`, `ws.client(app, path, headers, label)`, `await ws.open_server(server, path)`."""
    clients = WebSocketClients()
    yield clients
    await clients.close_all()


@pytest.fixture
def fresh_channel_layer():
    """New channel layer objects for this test: in-memory queues and Redis pools belong to one event loop.
    A lesson whose tests all need it asks for it once, in its conftest:
    `@pytest.fixture(autouse=True)` / `def _fresh_layer(fresh_channel_layer): ...`."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def within():
    """`await within(seconds, awaitable, what)`: the result, or a clear failure when it takes too long."""
    return _within
