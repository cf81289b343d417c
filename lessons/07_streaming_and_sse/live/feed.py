"""The ticker feed: a replayable log of numbered events, read at a steady pace.

Event n is always the same event (a pure function of the seed and n), like an entry in a Redis
stream or a Kafka topic. A reader that starts after event k gets k+1, k+2, ... one every
`interval` seconds. That is what makes resuming a stream from `Last-Event-ID` possible.

Two ways to read it:

- `FEED.events(after=k)`: a plain async generator, nothing to clean up;
- `FEED.subscribe(after=k)`: a subscription that holds a resource until `await sub.aclose()`,
  like a Redis pub/sub connection or a database cursor. `FEED.stats()` counts the open ones."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

from django.conf import settings

SYMBOLS = ("AWT", "ASY", "DJG", "SSE")


def make_event(seed: int, n: int) -> dict:
    """Event number `n` of the feed with this seed."""
    digest = hashlib.sha256(f"{seed}:{n}".encode()).digest()
    cents = 1000 + int.from_bytes(digest[1:4], "big") % 99000
    return {"n": n, "symbol": SYMBOLS[digest[0] % len(SYMBOLS)], "price": f"{cents / 100:.2f}"}


class Feed:
    def __init__(self, seed: int, interval: float) -> None:
        self.seed = seed
        self.interval = interval
        self.opened = 0
        self.closed = 0
        self.leaked = 0  # dropped (garbage) without aclose(): nobody can ever release them now

    async def events(self, after: int = 0) -> AsyncIterator[tuple[int, dict]]:
        """(n, event) for n = after+1, after+2, ... forever, one every `interval` seconds."""
        n = after
        while True:
            await asyncio.sleep(self.interval)
            n += 1
            yield n, make_event(self.seed, n)

    def subscribe(self, after: int = 0) -> Subscription:
        return Subscription(self, after)

    def stats(self) -> dict:
        return {"open": self.opened - self.closed, "opened": self.opened, "closed": self.closed, "leaked": self.leaked}


class Subscription:
    """An open subscription. Iterate it with `async for n, event in sub`; release it with
    `await sub.aclose()`, or use `async with feed.subscribe() as sub:`."""

    def __init__(self, feed: Feed, after: int) -> None:
        self.feed = feed
        self.n = after
        self.is_closed = False
        feed.opened += 1

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> tuple[int, dict]:
        if self.is_closed:
            raise StopAsyncIteration
        await asyncio.sleep(self.feed.interval)
        self.n += 1
        return self.n, make_event(self.feed.seed, self.n)

    async def aclose(self) -> None:
        if not self.is_closed:
            self.is_closed = True
            self.feed.closed += 1

    def __del__(self) -> None:
        # The last reference went away while still open: a generator that was cancelled before it
        # reached `await sub.aclose()`. Counted, so that a leak shows at once, not only as a count
        # that never drops.
        if not getattr(self, "is_closed", True):
            self.feed.leaked += 1

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()


FEED = Feed(seed=settings.FEED_SEED, interval=settings.FEED_INTERVAL)
