"""Exercise 3: `product` fetches price, stock and reviews concurrently and combines them."""

import httpx

from awaitlings.testing import Stopwatch, fail, load, need


def product_of(kit, sku: str) -> dict:
    price, stock, reviews = kit.price_of(sku), kit.stock_of(sku), kit.reviews_of(sku)
    return {
        "sku": sku,
        "price": price["price"],
        "currency": price["currency"],
        "available": stock["available"],
        "warehouse": stock["warehouse"],
        "reviews": reviews["count"],
        "rating": reviews["average"],
    }


def expect_slowest_not_sum(elapsed: float, kit, what: str) -> None:
    waits = [kit.DELAY * kit.weights[p] for p in ("/price", "/stock", "/reviews")]
    slowest, total = max(waits), sum(waits)
    bar = (slowest + total) / 2
    if elapsed >= bar:
        fail(
            f"{what} took {elapsed:.2f} s: the three upstream waits ({', '.join(f'{w:.2f}' for w in waits)} s) "
            f"ran one after another (sum {total:.2f} s). Run concurrently, the request takes about the slowest, {slowest:.2f} s."
        )
    if elapsed < slowest * 0.8:
        fail(f"{what} took {elapsed:.3f} s, less than the slowest upstream call ({slowest:.2f} s): were all three awaited?")


async def test_product_combines_price_stock_and_reviews(asgi_get, kit):
    mod = load("ex03_concurrent_upstreams")
    need(mod, "product", "coroutine function")
    for sku in (kit.random_sku(), kit.random_sku()):
        (response,) = await kit.all_within([asgi_get("/ex03/product", {"sku": sku})], "GET /ex03/product")
        kit.expect_json(kit.json_of(response, f"GET /ex03/product?sku={sku}"), product_of(kit, sku), f"GET /ex03/product?sku={sku}")


async def test_product_takes_as_long_as_the_slowest_upstream_not_the_sum(asgi_get, kit, upstream):
    mod = load("ex03_concurrent_upstreams")
    need(mod, "product", "coroutine function")
    sku = kit.random_sku()
    upstream.reset_counters()
    with Stopwatch() as sw:
        (response,) = await kit.all_within([asgi_get("/ex03/product", {"sku": sku})], "GET /ex03/product")
    kit.expect_json(kit.json_of(response, f"GET /ex03/product?sku={sku}"), product_of(kit, sku), f"GET /ex03/product?sku={sku}")
    if upstream.peak < 3:
        fail(
            f"The upstream never had all three calls of one request at once (at most {upstream.peak} in flight): "
            "the view awaited each call before starting the next."
        )
    expect_slowest_not_sum(sw.elapsed, kit, "GET /ex03/product")


async def test_under_uvicorn_the_product_card_comes_as_fast_as_the_slowest_call(web, kit):
    load("ex03_concurrent_upstreams")
    sku = kit.random_sku()
    async with httpx.AsyncClient(base_url=web.url, timeout=kit.DELAY * 40, headers={"accept": "application/json"}) as client:
        await kit.all_within([client.get("/")], "uvicorn's home page")
        with Stopwatch() as sw:
            (response,) = await kit.all_within([client.get("/ex03/product", params={"sku": sku})], "uvicorn: GET /ex03/product")
    kit.expect_json(kit.json_of(response, f"uvicorn: GET /ex03/product?sku={sku}"), product_of(kit, sku), f"uvicorn: GET /ex03/product?sku={sku}")
    expect_slowest_not_sum(sw.elapsed, kit, "uvicorn: GET /ex03/product")
