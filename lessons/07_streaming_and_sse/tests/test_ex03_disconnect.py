import asyncio
import contextlib
import json

from awaitlings.testing import fail, load
from support import SSEReader, client, read_sse


async def feed_stats(http) -> dict:
    return (await http.get("/feed/stats/")).json()


async def wait_for_open(http, want: int, timeout: float = 2.0, leaked_before: int | None = None) -> tuple[int, int]:
    """Poll /feed/stats/ until `want` subscriptions are open; the last open count seen, and how many
    subscriptions the server dropped without closing them since `leaked_before`. With `leaked_before`,
    stop as soon as those dropped ones are what keeps the count above `want`: nothing can close them
    any more, so waiting longer can't change the answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        stats = await feed_stats(http)
        seen = stats["open"]
        leaked = stats.get("leaked", 0) - leaked_before if leaked_before is not None else 0
        if seen == want or loop.time() >= deadline or (seen > want and leaked >= seen - want):
            return seen, leaked
        await asyncio.sleep(0.02)


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
        before = await feed_stats(stats)
        baseline = before["open"]
        watchers = []
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(3):
                http = await stack.enter_async_context(client(server))
                response = await stack.enter_async_context(http.stream("GET", "/ex03/watch/"))
                reader = SSEReader(response, "GET /ex03/watch/")
                await reader.read(1)
                watchers.append(reader)
            now, _ = await wait_for_open(stats, baseline + 3)
            if now != baseline + 3:
                fail(f"With 3 clients watching, /feed/stats/ should count 3 more open subscriptions, it went from {baseline} to {now}.")
            for reader in watchers[:2]:
                await reader.response.aclose()  # the client hangs up: its TCP connection closes
            # A released subscription closes as soon as the server sees the client leave; one never
            # released stays open for good, which the server sees when it drops it unclosed (or, should
            # it not, when the second is over).
            now, leaked = await wait_for_open(stats, baseline + 1, timeout=1.0, leaked_before=before.get("leaked", 0))
            if now != baseline + 1:
                if leaked:  # known at once: the server dropped them unclosed
                    fail(
                        f"2 of 3 clients disconnected, but {now - baseline} subscriptions are still open (expected 1), "
                        "and the server dropped the ones whose clients left without ever closing them. The generator "
                        "was cancelled before it reached `await sub.aclose()`."
                    )
                fail(
                    f"2 of 3 clients disconnected, but {now - baseline} subscriptions are still open a while later "
                    "(expected 1). The generator was cancelled before it reached `await sub.aclose()`."
                )
        now, _ = await wait_for_open(stats, baseline, timeout=1.0)
        assert now == baseline, f"after every client left, {now - baseline} subscriptions stayed open (expected 0)"
