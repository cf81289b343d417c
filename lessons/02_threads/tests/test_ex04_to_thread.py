"""ex04: asyncio.to_thread keeps the event loop free while blocking calls wait in threads."""

import asyncio
import time

from awaitlings.testing import Stopwatch, expect_waves, fail, load, need
from support import expect_bodies


async def run_with_heartbeat(coro, seconds: float = 5.0):
    """Await `coro` while a heartbeat task ticks every 10 ms; return (result, longest gap between ticks)."""
    gaps: list[float] = []

    async def heartbeat():
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = asyncio.create_task(heartbeat())
    await asyncio.sleep(0)  # let the heartbeat start before the code under test runs
    started = time.perf_counter()
    try:
        async with asyncio.timeout(seconds):
            result = await coro
    except TimeoutError:
        fail(f"fetch_many did not finish within {seconds:g} s.")
    finally:
        beat.cancel()
    # No tick at all means the loop was blocked for the whole call.
    return result, max(gaps, default=time.perf_counter() - started)


async def test_when_fetch_many_waits_then_the_event_loop_keeps_running(server, paths):
    fetch_many = need(load("ex04_to_thread"), "fetch_many", "coroutine function")
    wanted = paths(3, "doc")
    got, longest_gap = await run_with_heartbeat(fetch_many([server.url(p, delay=0.1) for p in wanted]))
    expect_bodies(got, [server.body_for(p) for p in wanted], "fetch_many")
    if longest_gap > 0.15:
        fail(
            f"While fetch_many waited, the event loop stood still for {longest_gap:.2f} s: another task that "
            "should tick every 0.01 s could not run. A blocking call inside `async def` stops the whole loop; "
            "hand it to a thread with `await asyncio.to_thread(fetch, url)`."
        )


async def test_when_five_urls_are_fetched_then_the_threads_wait_together(server, paths):
    fetch_many = need(load("ex04_to_thread"), "fetch_many", "coroutine function")
    wanted = paths(5, "doc")
    async with Stopwatch() as sw:
        got, _ = await run_with_heartbeat(fetch_many([server.url(p, delay=0.1) for p in wanted]))
    expect_bodies(got, [server.body_for(p) for p in wanted], "fetch_many")
    if server.peak < 2:
        fail(
            f"fetch_many ran sequentially: 5 requests of 0.10 s took {sw.elapsed:.2f} s and the server never "
            "had two at once. Awaiting to_thread() in a loop waits for each in turn: start them all, then "
            "gather them."
        )
    expect_waves(sw.elapsed, calls=5, each=0.1, at_once=5, what="fetch_many", unit="requests")
