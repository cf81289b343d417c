"""Exercise 2: `ping` and `stock` wait without blocking the event loop."""

import random

import httpx

from awaitlings.testing import Stopwatch, fail, load, need

import support

CALLS = 3  # enough to see waits overlap (or not); each one more makes a blocking starter wait longer
# Pings under uvicorn are judged by the clock alone (their waits happen in another process, where no
# sleep can be counted), so there are more of them: in a row they take 8 waits, together about one.
UVICORN_PINGS = 8


async def test_pings_wait_together(asgi_get, sleep_watch):
    mod = load("ex02_no_blocking")
    need(mod, "ping", "coroutine function")

    async def pings():
        sleep_watch.peak = sleep_watch.count = 0
        numbers = random.sample(range(1, 10_000), CALLS)
        responses = await support.all_within(
            [asgi_get("/ex02/ping", {"n": n}) for n in numbers], f"{CALLS} concurrent GET /ex02/ping"
        )
        for n, response in zip(numbers, responses):
            got = support.json_of(response, f"GET /ex02/ping?n={n}")
            support.expect_json(got, {"ok": True, "n": n}, f"GET /ex02/ping?n={n}")

    with Stopwatch() as sw:
        await pings()
    support.record_overlap(f"{CALLS} concurrent GET /ex02/ping requests", sw.elapsed, CALLS * support.DELAY)
    if sleep_watch.peak >= 2:
        return  # the pings were seen waiting together: no need to trust the clock
    if sleep_watch.peak == 1 and sleep_watch.count >= CALLS:
        fail(
            f"{CALLS} concurrent GET /ex02/ping requests waited one at a time ({sw.elapsed:.2f} s in all): "
            f"each {support.DELAY:.2f} s wait held the event loop, so the next request could not start its own."
        )

    async def reference():
        calls = [asgi_get("/bench/async", {"sku": support.random_sku()}) for _ in range(CALLS)]
        await support.all_within(calls, "GET /bench/async")

    # The waits weren't asyncio.sleep or time.sleep calls (or there were none): let the clock decide,
    # with a wait long enough that Django's own work can't pass for it, nor hide a skipped one.
    from django.conf import settings

    wait = support.DELAY * 4
    settings.PING_DELAY = wait
    try:
        await support.timed(
            pings, reference, ideal=wait, in_a_row=wait * CALLS, reference_ideal=support.DELAY,
            what=f"{CALLS} concurrent GET /ex02/ping requests (each waiting {wait:.2f} s)",
            reference_what=f"{CALLS} requests to the course's own async view",
        )
    finally:
        settings.PING_DELAY = support.DELAY


async def test_stock_checks_wait_together_and_report_each_skus_stock(asgi_get, upstream):
    mod = load("ex02_no_blocking")
    need(mod, "stock", "coroutine function")
    skus = [support.random_sku() for _ in range(CALLS)]
    upstream.reset_counters()
    with Stopwatch() as sw:
        responses = await support.all_within(
            [asgi_get("/ex02/stock", {"sku": sku}) for sku in skus], f"{CALLS} concurrent GET /ex02/stock"
        )
    for sku, response in zip(skus, responses):
        got = support.json_of(response, f"GET /ex02/stock?sku={sku}")
        support.expect_json(got, support.stock_of(sku), f"GET /ex02/stock?sku={sku}")
    each = support.DELAY * support.weights["/stock"]
    support.expect_overlap(upstream, CALLS, each, sw.elapsed, f"{CALLS} concurrent GET /ex02/stock requests")


async def test_under_uvicorn_pings_and_stock_checks_overlap(web, upstream):
    load("ex02_no_blocking")
    from project.clients import TLS  # course-owned: a new default client would spend ~50 ms building one

    headers = {"accept": "application/json"}
    # The `web` fixture has already had Django serve its first requests (a warm-up in the background).
    async with httpx.AsyncClient(base_url=web.url, timeout=support.DELAY * 80, headers=headers, verify=TLS) as client:

        async def pings():
            numbers = random.sample(range(1, 10_000), UVICORN_PINGS)
            responses = await support.all_within(
                [client.get("/ex02/ping", params={"n": n}) for n in numbers], f"uvicorn: {UVICORN_PINGS} concurrent pings"
            )
            for n, response in zip(numbers, responses):
                got = support.json_of(response, f"uvicorn: GET /ex02/ping?n={n}")
                support.expect_json(got, {"ok": True, "n": n}, f"uvicorn: GET /ex02/ping?n={n}")

        async def reference():
            await support.all_within(
                [client.get("/bench/async", params={"sku": support.random_sku()}) for _ in range(UVICORN_PINGS)],
                "uvicorn: GET /bench/async",
            )

        try:
            # Stock checks first: the upstream counts them in flight, so no clock is needed.
            skus = [support.random_sku() for _ in range(CALLS)]
            upstream.reset_counters()
            with Stopwatch() as sw:
                stocks = await support.all_within(
                    [client.get("/ex02/stock", params={"sku": sku}) for sku in skus], f"uvicorn: {CALLS} stock checks"
                )
            for sku, response in zip(skus, stocks):
                got = support.json_of(response, f"uvicorn: GET /ex02/stock?sku={sku}")
                support.expect_json(got, support.stock_of(sku), f"uvicorn: GET /ex02/stock?sku={sku}")
            each = support.DELAY * support.weights["/stock"]
            support.expect_overlap(upstream, CALLS, each, sw.elapsed, f"Under uvicorn, {CALLS} concurrent stock checks")
            # Pings wait in another process, where no sleep can be counted: the clock decides, with the
            # course's own async view as a reference only when the answer isn't clear at once.
            await support.timed(
                pings, reference, ideal=support.DELAY, in_a_row=support.DELAY * UVICORN_PINGS, reference_ideal=support.DELAY,
                what=f"A real uvicorn server answering {UVICORN_PINGS} pings",
                reference_what=f"{UVICORN_PINGS} requests to the course's own async view",
            )
        except AssertionError as problem:
            fail(f"{problem} In a real server too, one blocking call in an async view makes every request wait.")
