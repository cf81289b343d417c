"""A pretend remote service for lesson 01 (course-owned: the tests and the notebook use it).

`await upstream.fetch(url)` waits like a network call would: the coroutine is suspended and the event
loop is free to run other tasks until the answer "arrives". Every call is recorded (started,
finished, failed, cancelled, how many were in flight at once), so a test can tell a concurrent
answer from a sequential one without trusting the clock alone."""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Iterable, Mapping


class FetchError(Exception):
    """The upstream answered with an error."""


class FakeUpstream:
    """Answers `fetch(url)` after `delays[url]` seconds (else `delay`), or raises `FetchError` for a
    URL in `failing`. Each upstream has its own random token in its answers, so an answer can't be
    guessed or hard-coded."""

    def __init__(
        self,
        delay: float = 0.05,
        delays: Mapping[str, float] | None = None,
        failing: Iterable[str] = (),
    ) -> None:
        self.delay = delay
        self.delays = dict(delays or {})
        self.failing = set(failing)
        self.token = secrets.token_hex(3)
        self.started: list[str] = []
        self.finished: list[str] = []
        self.failed: list[str] = []
        self.cancelled: list[str] = []
        self.in_flight = 0
        self.peak = 0

    def answer(self, url: str) -> str:
        """What `fetch(url)` returns."""
        return f"{url} -> page {self.token}"

    async def fetch(self, url: str) -> str:
        self.started.append(url)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.delays.get(url, self.delay))
        except asyncio.CancelledError:
            self.cancelled.append(url)
            raise  # a cancelled call must stay cancelled: see "Cancellation" in the lesson
        finally:
            self.in_flight -= 1
        if url in self.failing:
            self.failed.append(url)
            raise FetchError(f"{url} answered 503 Service Unavailable")
        self.finished.append(url)
        return self.answer(url)

    @property
    def running(self) -> list[str]:
        """Calls that started and have neither finished, failed nor been cancelled."""
        done = [*self.finished, *self.failed, *self.cancelled]
        left = list(self.started)
        for url in done:
            left.remove(url)
        return left


async def fake_fetch(url: str, delay: float = 0.05) -> str:
    """The simplest stand-in for a network call: wait `delay` seconds, then answer."""
    await asyncio.sleep(delay)
    return f"{url} -> page"


_WORDS = ("menu", "prices", "stock", "reviews", "weather", "news", "orders", "users", "cart", "search", "maps")


def random_urls(count: int) -> list[str]:
    """`count` different made-up URLs, new ones on every call."""
    return [f"/{word}/{random.randint(1, 999)}" for word in random.sample(_WORDS, count)]
