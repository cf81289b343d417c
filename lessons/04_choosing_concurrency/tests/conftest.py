"""Lesson 04's fixtures: the polite server and its counters (course-owned)."""

from __future__ import annotations

import functools
import secrets

import httpx
import pytest

from awaitlings import testing
from awaitlings.testing import ServerProcess


@pytest.fixture(scope="session")
def _polite_server():
    # One uvicorn for the whole session; each test resets its counters. The server runs without
    # asyncio debug mode (the plugin turns it on for the code under test, not for the course's server).
    cmd = ["{python}", "-m", "uvicorn", "polite_server:app", "--port", "{port}", "--log-level", "warning"]
    with ServerProcess(cmd, env={"PYTHONASYNCIODEBUG": ""}) as server:
        yield server


class Polite:
    """The polite server as a test sees it: configure it, read its counters, know its answers."""

    def __init__(self, process: ServerProcess) -> None:
        self.url = process.url
        self.secret = ""

    def configure(self, *, limit: int = 4, latency: float = 0.05, flaky: dict[int, int] | None = None) -> None:
        self.secret = secrets.token_hex(6)
        config = {"limit": limit, "latency": latency, "flaky": flaky or {}, "secret": self.secret, "flaky_chance": 0}
        httpx.post(f"{self.url}/reset", json=config, timeout=5).raise_for_status()

    def stats(self) -> dict:
        return httpx.get(f"{self.url}/stats", timeout=5).json()

    def body(self, item: int) -> dict:
        from polite_server import item_value

        return {"id": item, "value": item_value(self.secret, item)}


@pytest.fixture
def polite(_polite_server) -> Polite:
    server = Polite(_polite_server)
    server.configure()
    return server


@pytest.fixture
def within():
    """awaitlings.testing.within, with this lesson's own advice."""
    return functools.partial(testing.within, advice="Is something waiting for an event that never comes?")
