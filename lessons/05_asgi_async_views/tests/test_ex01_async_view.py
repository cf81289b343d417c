"""Exercise 1: `price` is an async view that awaits the upstream with httpx.AsyncClient."""

import asyncio
import contextlib
import inspect

from awaitlings.testing import Stopwatch, fail, load, need

import support

CALLS = 4


def test_price_is_an_async_view():
    mod = load("ex01_async_view")
    need(mod, "price", "coroutine function")


async def test_price_answers_with_the_upstream_price_of_the_sku(asgi_get):
    need(load("ex01_async_view"), "price", "coroutine function")  # first the exercise itself: an async view
    sku = support.random_sku()
    (response,) = await support.all_within([asgi_get("/ex01/price", {"sku": sku})], "GET /ex01/price")
    got = support.json_of(response, f"GET /ex01/price?sku={sku}")
    want = support.price_of(sku)
    want = {"sku": sku, "price": want["price"], "currency": want["currency"]}
    support.expect_json(got, want, f"GET /ex01/price?sku={sku}")


async def test_concurrent_requests_wait_together_without_a_thread_each(asgi_get, upstream):
    mod = load("ex01_async_view")
    view = need(mod, "price", "function")
    skus = [support.random_sku() for _ in range(CALLS)]
    most_threads = 0

    async def watch_threads():
        nonlocal most_threads
        while True:
            most_threads = max(most_threads, support.threads_inside(mod.__file__))
            await asyncio.sleep(0.005)  # several looks during one wait

    upstream.reset_counters()
    watcher = asyncio.create_task(watch_threads())
    try:
        with Stopwatch() as sw:
            responses = await support.all_within(
                [asgi_get("/ex01/price", {"sku": sku}) for sku in skus], f"{CALLS} concurrent GET /ex01/price"
            )
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    for sku, response in zip(skus, responses):
        got = support.json_of(response, f"GET /ex01/price?sku={sku}")
        want = support.price_of(sku)["price"]
        if got.get("sku") != sku or got.get("price") != want:
            fail(f"GET /ex01/price?sku={sku} answered {got}, expected the sku {sku!r} with the price {want}.")
    each = support.DELAY * support.weights["/price"]
    support.expect_overlap(upstream, CALLS, each, sw.elapsed, f"{CALLS} concurrent GET /ex01/price requests")
    if most_threads >= 2:
        kind = "an `async def` view" if inspect.iscoroutinefunction(view) else "a sync view"
        fail(
            f"The {CALLS} requests overlapped, but each held a thread while it waited for the upstream "
            f"({most_threads} threads at once): `price` is {kind} whose wait happens in a thread. An `async def` "
            "view that awaits httpx.AsyncClient waits on the event loop, with no thread at all."
        )
