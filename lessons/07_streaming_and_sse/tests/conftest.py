"""Fixtures for lesson 07: one real uvicorn process serving the files under test, started once per
session with fast timings and a random feed seed. The Server-Sent Events reader and the other helpers
the test modules share are in support.py."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest
from awaitlings.testing import ServerProcess
from support import COUNTDOWN_STEP, FEED_INTERVAL, SERVERS


@pytest.fixture(autouse=True)
async def quiet_loop():
    """The code under test runs in the server process, not on this test's event loop, so asyncio's
    debug mode (which the checker turns on to catch blocking calls) would only slow the HTTP client."""
    asyncio.get_running_loop().set_debug(False)
    yield


@pytest.fixture(scope="session")
def feed_seed() -> int:
    return random.randint(1, 1_000_000)


@pytest.fixture(scope="session")
def server(feed_seed):
    with ServerProcess(
        ["{python}", "-m", "uvicorn", "project.asgi:application", "--port", "{port}",
         "--timeout-graceful-shutdown", "1"],
        env={
            "COUNTDOWN_STEP": str(COUNTDOWN_STEP),
            "FEED_INTERVAL": str(FEED_INTERVAL),
            "FEED_SEED": str(feed_seed),
            "DJANGO_DEBUG": "0",
        },
    ) as srv:
        # The first request imports the URLconf and every exercise module: pay for it here, not
        # inside a timed test.
        httpx.get(f"{srv.url}/feed/stats/", timeout=10)
        SERVERS.append(srv)
        try:
            yield srv
        finally:
            SERVERS.remove(srv)
