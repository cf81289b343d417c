"""Fetch many pages with a bounded pool of threads.

`fetch_all(urls, max_workers)` returns the bodies in the same order as `urls`, and never has more
than `max_workers` requests in flight: the upstream is shared with other clients.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor  # noqa: F401 - you will need it

from blocking_http import fetch


# --8<-- [start:fetch_all]
def fetch_all(urls: list[str], max_workers: int = 4) -> list[str]:
    # TODO: one request at a time. Hand the calls to a ThreadPoolExecutor with max_workers threads,
    #       and keep the results in the order of `urls`.
    return [fetch(url) for url in urls]
# --8<-- [end:fetch_all]


if __name__ == "__main__":
    import time

    from slow_server import SlowServer

    with SlowServer(delay=0.2) as server:
        started = time.perf_counter()
        bodies = fetch_all([server.url(f"item/{n}") for n in range(12)], max_workers=4)
        print(f"{len(bodies)} pages in {time.perf_counter() - started:.2f} s, at most {server.peak} at once")
