"""ex04: asyncio.to_thread keeps the event loop free while blocking calls wait in threads."""

import asyncio
import threading
import time

from awaitlings.testing import Stopwatch, expect_waves, fail, load, need
from support import expect_bodies, sequential_verdict

STILL = 0.15  # the longest the event loop may stand still while fetch_many waits


async def run_with_heartbeat(coro, server, seconds: float = 5.0, watch_loop: bool = True):
    """Await `coro` while a heartbeat task ticks every 10 ms; return (result, longest gap between ticks,
    error the call raised). A watchdog thread sees a loop that stood still longer than STILL and makes the
    server answer the rest at once (server.abort()), so a blocked loop is not waited out request by request."""
    gaps: list[float] = []
    last = [time.perf_counter()]
    finished = threading.Event()

    async def heartbeat():
        last[0] = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

    def watchdog():
        while not finished.wait(0.01):
            still = time.perf_counter() - last[0]
            if still > STILL + 0.02:
                gaps.append(still)  # what it saw: the heartbeat may never tick again before the test ends
                server.abort()
                return

    beat = asyncio.create_task(heartbeat())
    await asyncio.sleep(0)  # let the heartbeat start before the code under test runs
    watcher = threading.Thread(target=watchdog if watch_loop else finished.wait, name="loop-watchdog", daemon=True)
    watcher.start()
    started = time.perf_counter()
    result = error = None
    try:
        async with asyncio.timeout(seconds):
            result = await coro
    except TimeoutError:
        fail(f"fetch_many did not finish within {seconds:g} s.")
    except Exception as raised:  # noqa: BLE001 - the test decides what it means
        error = raised
    finally:
        finished.set()
        beat.cancel()
        watcher.join()
    # No tick at all means the loop was blocked for the whole call.
    return result, max(gaps, default=time.perf_counter() - started), error


async def test_when_fetch_many_waits_then_the_event_loop_keeps_running(server, paths):
    fetch_many = need(load("ex04_to_thread"), "fetch_many", "coroutine function")
    wanted = paths(3, "doc")
    got, longest_gap, error = await run_with_heartbeat(fetch_many([server.url(p, delay=0.08) for p in wanted]), server)
    if longest_gap > STILL:
        fail(
            f"While fetch_many waited, the event loop stood still for {longest_gap:.2f} s: another task that "
            "should tick every 0.01 s could not run. A blocking call inside `async def` stops the whole loop; "
            "hand it to a thread with `await asyncio.to_thread(fetch, url)`."
        )
    if error is not None:
        raise error
    expect_bodies(got, [server.body_for(p) for p in wanted], "fetch_many")


async def test_when_five_urls_are_fetched_then_the_threads_wait_together(server, paths):
    fetch_many = need(load("ex04_to_thread"), "fetch_many", "coroutine function")
    wanted = paths(5, "doc")
    advice = "Awaiting to_thread() in a loop waits for each in turn: start them all, then gather them."
    server.stop_when_sequential(2)  # five calls gathered never leave the first two requests alone
    async with Stopwatch() as sw:
        got, _, error = await run_with_heartbeat(
            fetch_many([server.url(p, delay=0.1) for p in wanted]), server, watch_loop=False
        )
    sequential_verdict(server, error, "fetch_many", len(wanted), sw.elapsed, advice)
    expect_bodies(got, [server.body_for(p) for p in wanted], "fetch_many")
    if server.peak < 2:
        fail(
            f"fetch_many ran sequentially: 5 requests of 0.10 s took {sw.elapsed:.2f} s and the server never "
            f"had two at once. {advice}"
        )
    expect_waves(sw.elapsed, calls=5, each=0.1, at_once=5, what="fetch_many", unit="requests")
