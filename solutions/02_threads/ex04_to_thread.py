"""Call a blocking client from async code without freezing the event loop.

`fetch_many(urls)` is part of an asyncio service. The only client it has is the blocking
`fetch()` (think: an SDK or a driver without an async API). Called directly inside `async def`,
every `fetch()` stops the whole event loop, and every other task with it, until the server answers.
"""

from __future__ import annotations

import asyncio

from blocking_http import fetch


# --8<-- [start:fetch_many]
async def fetch_many(urls: list[str]) -> list[str]:
    # to_thread() runs fetch in the loop's default thread pool and gives back an awaitable, so the
    # loop keeps serving other tasks while the threads wait; gather() runs them all at once.
    return await asyncio.gather(*(asyncio.to_thread(fetch, url) for url in urls))
# --8<-- [end:fetch_many]


if __name__ == "__main__":
    import time

    from slow_server import SlowServer

    with SlowServer(delay=0.3) as server:
        started = time.perf_counter()
        bodies = asyncio.run(fetch_many([server.url(f"doc/{n}") for n in range(5)]))
        print(f"{len(bodies)} pages in {time.perf_counter() - started:.2f} s")
