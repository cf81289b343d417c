"""Bounded concurrency: run an async function over many items, but never more than `limit` at once.

`map_limited(func, items, limit)` awaits `func(item)` for every item and returns the results in the
order of `items`. A database pool, an API quota or a polite crawler each allow only so many calls in
flight; `gather` over everything would start all of them at the same moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


# --8<-- [start:map_limited]
async def map_limited(func: Callable[[T], Awaitable[R]], items: Iterable[T], limit: int) -> list[R]:
    # One semaphore shared by all calls (one per call would limit nothing). A call waits for a free
    # slot, and the slot is handed on the moment any call finishes: no waiting for a whole batch.
    slots = asyncio.Semaphore(limit)

    async def one(item: T) -> R:
        async with slots:
            return await func(item)

    return list(await asyncio.gather(*(one(item) for item in items)))
# --8<-- [end:map_limited]
