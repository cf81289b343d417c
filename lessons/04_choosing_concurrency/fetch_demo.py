"""Run your ex04 fetcher against the polite server every few seconds (started by `awaitlings run 04`).

    python fetch_demo.py --url http://127.0.0.1:8004 --every 5

Each round fetches a batch of ids (one of them doesn't exist), then prints how long it took against
the ideal N / limit x latency, and what the server saw: the most requests at once, 429s, 503s.
Edit ex04_polite_fetcher.py while this runs: every round imports it afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import random
import sys
import time
import traceback

import httpx


def wait_for_server(url: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(f"{url}/stats", timeout=2).json()
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def one_round(url: str, count: int) -> None:
    stats = wait_for_server(url)
    limit, latency = stats["limit"], stats["latency"]
    httpx.post(f"{url}/reset", json={"limit": limit, "latency": latency}, timeout=5)
    ids = random.sample(range(1, 9_000), count - 1) + [random.randint(10_001, 20_000)]
    sys.modules.pop("ex04_polite_fetcher", None)
    fetcher = importlib.import_module("ex04_polite_fetcher")
    started = time.perf_counter()
    try:
        found = asyncio.run(fetcher.fetch_all(url, ids, limit=limit))
    except Exception as error:  # noqa: BLE001 - show the learner what their fetcher raised, keep running
        print(f"fetch_all raised {type(error).__name__}: {error}")
        print("".join(traceback.format_exception(error)[-3:]).rstrip())
        found = None
    elapsed = time.perf_counter() - started
    seen = httpx.get(f"{url}/stats", timeout=5).json()
    ideal = count / limit * latency
    got = "crashed" if found is None else f"{len(found)}/{count - 1} items"
    print(
        f"{got} in {elapsed:.2f} s ({elapsed / ideal:.1f}x the ideal {ideal:.2f} s) | most at once "
        f"{seen['peak']}/{limit} | 429 rejected {seen['rejected']} | 503 retried {seen['failed']} | 404 {seen['not_found']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8004")
    parser.add_argument("--every", type=float, default=5)
    parser.add_argument("--count", type=int, default=24)
    args = parser.parse_args()
    while True:
        one_round(args.url, args.count)
        time.sleep(args.every)


if __name__ == "__main__":
    main()
