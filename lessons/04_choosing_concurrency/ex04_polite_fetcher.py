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


# --8<-- [start:fetch_all]
async def fetch_all(
    base_url: str, ids: list[int], *, limit: int = 4, retries: int = 3, backoff: float = 0.05
) -> dict[int, dict]:
    # TODO: this fires every request at once, gives up on the first 503 and treats a 404 as a crash.
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:

        async def fetch_one(item: int) -> dict:
            response = await client.get(f"/items/{item}")
            response.raise_for_status()
            return response.json()

        bodies = await asyncio.gather(*(fetch_one(item) for item in ids))
    return dict(zip(ids, bodies))
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
