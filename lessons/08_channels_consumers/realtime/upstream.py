"""A slow quote service the consumers call. Course-owned: don't edit.

`fetch_quote_blocking` stands for a blocking client (`requests.get`, a sync SDK, the sync ORM);
`fetch_quote` is the same lookup through an async client. Both wait `DELAY` seconds and return the
same price, so only *how* they wait differs."""

import asyncio
import time
import zlib

DELAY = 0.2  # seconds; tests may change it


def price_of(symbol: str) -> float:
    """A made-up but stable price, so a reply can be checked."""
    return round(10 + zlib.crc32(symbol.encode()) % 99_000 / 100, 2)


def fetch_quote_blocking(symbol: str) -> float:
    time.sleep(DELAY)
    return price_of(symbol)


async def fetch_quote(symbol: str) -> float:
    await asyncio.sleep(DELAY)
    return price_of(symbol)
