import asyncio
import contextlib
import json

from awaitlings.testing import fail, load
from support import SSEReader, client, read_sse


async def open_subscriptions(http) -> int:
    return (await http.get("/feed/stats/")).json()["open"]


async def wait_for_open(http, want: int, timeout: float = 2.0) -> int:
    """Poll /feed/stats/ until `want` subscriptions are open; the last count seen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = await open_subscriptions(http)
    while seen != want and loop.time() < deadline:
        await asyncio.sleep(0.05)
        seen = await open_subscriptions(http)
    return seen


async def expect_the_feed(server, feed_seed):
    """A watcher receives the feed (once a test of its own, which the untouched starter passed: now the
    first step of the exercise's test)."""
    from live.feed import make_event

    async with client(server) as http, http.stream("GET", "/ex03/watch/") as response:
        stream = await read_sse(response, 2, "GET /ex03/watch/")
    for n, event in enumerate(stream.events, start=1):
        assert event.get("id") == str(n), f"GET /ex03/watch/: expected event id {n}, got {event.get('id')!r}"
        assert json.loads(event["data"]) == make_event(feed_seed, n), f"GET /ex03/watch/: event {n} has the wrong data"


async def test_a_watcher_receives_the_feed_and_a_client_that_leaves_releases_its_subscription(server, feed_seed):
    load("ex03_disconnect")
    await expect_the_feed(server, feed_seed)
    async with client(server) as stats:
        baseline = await open_subscriptions(stats)
        watchers = []
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(3):
                http = await stack.enter_async_context(client(server))
                response = await stack.enter_async_context(http.stream("GET", "/ex03/watch/"))
                reader = SSEReader(response, "GET /ex03/watch/")
                await reader.read(1)
                watchers.append(reader)
            now = await wait_for_open(stats, baseline + 3)
            if now != baseline + 3:
                fail(f"With 3 clients watching, /feed/stats/ should count 3 more open subscriptions, it went from {baseline} to {now}.")
            for reader in watchers[:2]:
                await reader.response.aclose()  # the client hangs up: its TCP connection closes
            # A released subscription closes within a feed tick or two (0.05 s); one never released waits
            # the whole second, so keep it short.
            now = await wait_for_open(stats, baseline + 1, timeout=1.0)
            if now != baseline + 1:
                fail(
                    f"2 of 3 clients disconnected, but {now - baseline} subscriptions are still open a while later "
                    "(expected 1). The generator was cancelled before it reached `await sub.aclose()`."
                )
        now = await wait_for_open(stats, baseline, timeout=1.0)
        assert now == baseline, f"after every client left, {now - baseline} subscriptions stayed open (expected 0)"
