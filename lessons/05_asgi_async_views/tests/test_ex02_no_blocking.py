"""Exercise 2: `ping` and `stock` wait without blocking the event loop."""

import random

import httpx

from awaitlings.testing import Stopwatch, expect_concurrent, fail, load, need

CALLS = 5


async def test_pings_wait_together(asgi_get, kit):
    mod = load("ex02_no_blocking")
    need(mod, "ping", "coroutine function")
    numbers = random.sample(range(1, 10_000), CALLS)
    with Stopwatch() as sw:
        responses = await kit.all_within(
            [asgi_get("/ex02/ping", {"n": n}) for n in numbers], f"{CALLS} concurrent GET /ex02/ping"
        )
    for n, response in zip(numbers, responses):
        kit.expect_json(kit.json_of(response, f"GET /ex02/ping?n={n}"), {"ok": True, "n": n}, f"GET /ex02/ping?n={n}")
    expect_concurrent(sw.elapsed, calls=CALLS, each=kit.DELAY, what=f"{CALLS} concurrent GET /ex02/ping requests")


async def test_stock_checks_wait_together_and_report_each_skus_stock(asgi_get, kit, upstream):
    mod = load("ex02_no_blocking")
    need(mod, "stock", "coroutine function")
    skus = [kit.random_sku() for _ in range(CALLS)]
    upstream.reset_counters()
    with Stopwatch() as sw:
        responses = await kit.all_within(
            [asgi_get("/ex02/stock", {"sku": sku}) for sku in skus], f"{CALLS} concurrent GET /ex02/stock"
        )
    for sku, response in zip(skus, responses):
        kit.expect_json(kit.json_of(response, f"GET /ex02/stock?sku={sku}"), kit.stock_of(sku), f"GET /ex02/stock?sku={sku}")
    kit.expect_overlap(upstream, CALLS, sw.elapsed, f"{CALLS} concurrent GET /ex02/stock requests")


async def test_under_uvicorn_pings_and_stock_checks_overlap(web, kit, upstream):
    load("ex02_no_blocking")
    numbers = random.sample(range(1, 10_000), CALLS)
    skus = [kit.random_sku() for _ in range(CALLS)]
    async with httpx.AsyncClient(base_url=web.url, timeout=kit.DELAY * 40, headers={"accept": "application/json"}) as client:
        await kit.all_within([client.get("/")], "uvicorn's home page")  # warm up: Django loads on the first request
        try:
            with Stopwatch() as sw:
                pings = await kit.all_within(
                    [client.get("/ex02/ping", params={"n": n}) for n in numbers], f"uvicorn: {CALLS} concurrent pings"
                )
            for n, response in zip(numbers, pings):
                got = kit.json_of(response, f"uvicorn: GET /ex02/ping?n={n}")
                kit.expect_json(got, {"ok": True, "n": n}, f"uvicorn: GET /ex02/ping?n={n}")
            expect_concurrent(sw.elapsed, calls=CALLS, each=kit.DELAY, what=f"A real uvicorn server answering {CALLS} pings")

            upstream.reset_counters()
            with Stopwatch() as sw:
                stocks = await kit.all_within(
                    [client.get("/ex02/stock", params={"sku": sku}) for sku in skus], f"uvicorn: {CALLS} stock checks"
                )
            for sku, response in zip(skus, stocks):
                got = kit.json_of(response, f"uvicorn: GET /ex02/stock?sku={sku}")
                kit.expect_json(got, kit.stock_of(sku), f"uvicorn: GET /ex02/stock?sku={sku}")
            kit.expect_overlap(upstream, CALLS, sw.elapsed, f"Under uvicorn, {CALLS} concurrent stock checks")
        except AssertionError as problem:
            fail(f"{problem} In a real server too, one blocking call in an async view makes every request wait.")
