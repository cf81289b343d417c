"""A polite concurrent fetcher: the mini-project of lesson 04.

`fetch_all(base_url, ids, limit=...)` GETs `{base_url}/items/{id}` for every id with one
`httpx.AsyncClient` and returns `{id: the JSON body}`. The server is shared, so be polite:

- never more than `limit` requests in flight (the server answers 429 to the one too many);
- a 503 is transient: try again after a short, growing pause (`backoff`, then twice that, ...),
  at most `retries` more times;
- a 404 is permanent: don't retry it, and leave that id out of the result;
- as fast as the limit allows: N requests of latency L, `limit` at a time, take about N / limit * L.

    python ex04_polite_fetcher.py --url http://127.0.0.1:8004     # against `awaitlings run 04`
"""

from __future__ import annotations

import asyncio

import httpx

TRANSIENT = {429, 502, 503, 504}


# --8<-- [start:fetch_all]
async def fetch_all(
    base_url: str, ids: list[int], *, limit: int = 4, retries: int = 3, backoff: float = 0.05
) -> dict[int, dict]:
    slots = asyncio.Semaphore(limit)  # one semaphore shared by every request: at most `limit` in flight
    # One client for all requests: it reuses connections instead of opening one per request.
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:

        async def fetch_one(item: int) -> dict | None:
            for attempt in range(retries + 1):
                async with slots:  # hold a slot only while the request is on the wire
                    try:
                        response = await client.get(f"/items/{item}")
                    except httpx.TransportError:
                        response = None  # connection trouble is transient too
                if response is not None and response.status_code == 404:
                    return None  # permanent: retrying can't make the item exist
                if response is not None and response.status_code not in TRANSIENT:
                    response.raise_for_status()  # any other error is a bug worth seeing
                    return response.json()
                if attempt < retries:
                    await asyncio.sleep(backoff * 2**attempt)  # wait *outside* the semaphore
            raise RuntimeError(f"item {item}: still failing after {retries} retries")

        bodies = await asyncio.gather(*(fetch_one(item) for item in ids))
    return {item: body for item, body in zip(ids, bodies) if body is not None}
# --8<-- [end:fetch_all]


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8004")
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--limit", type=int, default=4)
    args = parser.parse_args()
    started = time.perf_counter()
    found = asyncio.run(fetch_all(args.url, list(range(1, args.count + 1)), limit=args.limit))
    print(f"{len(found)} items in {time.perf_counter() - started:.2f} s")
