"""Fixtures shared by the lesson 04 tests (course-owned)."""

from __future__ import annotations

import asyncio
import math
import secrets
import time

import httpx
import pytest

from awaitlings.testing import ServerProcess, fail


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
    """`await within(seconds, awaitable, what)`: the result, or a clear failure if it takes too long."""

    async def _within(seconds, awaitable, what):
        try:
            async with asyncio.timeout(seconds):
                return await awaitable
        except TimeoutError:
            fail(f"{what} did not finish within {seconds:g} s. Is something waiting for an event that never comes?")

    return _within


class Gauge:
    """Counts how many calls run at once (async test doubles use it)."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0

    def __enter__(self) -> Gauge:
        self.now += 1
        self.peak = max(self.peak, self.now)
        return self

    def __exit__(self, *exc) -> None:
        self.now -= 1


def expect_waves(elapsed: float, *, calls: int, each: float, at_once: int, what: str) -> None:
    """Fail unless `calls` waits of `each` seconds, `at_once` at a time, overlapped (halfway bar)."""
    ideal = math.ceil(calls / at_once) * each
    sequential = calls * each
    if elapsed >= ideal + (sequential - ideal) / 2:
        fail(
            f"{what} ran sequentially: {calls} calls of {each:.2f} s took {elapsed:.2f} s "
            f"(one after another: {sequential:.2f} s; {at_once} at a time: about {ideal:.2f} s)."
        )


def now() -> float:
    return time.perf_counter()
