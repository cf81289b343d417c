"""Exercise 3: `product` fetches price, stock and reviews concurrently and combines them.

(The real-uvicorn check of this lesson is in test_ex02_no_blocking.py: one server start per check.)"""

from awaitlings.testing import fail, load, need

import support


def product_of(sku: str) -> dict:
    price, stock, reviews = support.price_of(sku), support.stock_of(sku), support.reviews_of(sku)
    return {
        "sku": sku,
        "price": price["price"],
        "currency": price["currency"],
        "available": stock["available"],
        "warehouse": stock["warehouse"],
        "reviews": reviews["count"],
        "rating": reviews["average"],
    }


async def timed_product(one, reference, upstream, what: str) -> None:
    waits = [support.DELAY * support.weights[path] for path in ("/price", "/stock", "/reviews")]
    await support.timed(
        one, reference, ideal=max(waits), in_a_row=sum(waits), reference_ideal=support.DELAY * support.weights["/price"],
        what=what, reference_what="three concurrent requests to the course's own async view (one upstream call each)",
        overlap_seen=lambda: upstream.peak >= 3,
    )


async def test_product_combines_price_stock_and_reviews(asgi_get, upstream):
    mod = load("ex03_concurrent_upstreams")
    need(mod, "product", "coroutine function")
    skus = [support.random_sku(), support.random_sku()]
    upstream.reset_counters()
    responses = await support.all_within([asgi_get("/ex03/product", {"sku": sku}) for sku in skus], "GET /ex03/product")
    for sku, response in zip(skus, responses):
        got = support.json_of(response, f"GET /ex03/product?sku={sku}")
        support.expect_json(got, product_of(sku), f"GET /ex03/product?sku={sku}")
    # The exercise itself first (a view awaiting one call after the other has at most 2 in flight here).
    expect_three_at_once(upstream, "GET /ex03/product")


def expect_three_at_once(upstream, what: str) -> None:
    if upstream.peak < 3:
        fail(
            f"{what}: the upstream never had the request's three calls at once (at most {upstream.peak} in "
            "flight): the view awaited each call before starting the next."
        )


async def check_one_product(get, upstream, what: str) -> None:
    """One product card: right answer, and all three upstream calls in flight at once."""
    sku = support.random_sku()
    upstream.reset_counters()
    (response,) = await support.all_within([get(sku)], what)
    support.expect_json(support.json_of(response, f"{what}?sku={sku}"), product_of(sku), f"{what}?sku={sku}")
    expect_three_at_once(upstream, what)


async def test_product_takes_as_long_as_the_slowest_upstream_not_the_sum(asgi_get, upstream):
    mod = load("ex03_concurrent_upstreams")
    need(mod, "product", "coroutine function")
    what = "GET /ex03/product"

    async def one():
        await check_one_product(lambda sku: asgi_get("/ex03/product", {"sku": sku}), upstream, what)

    async def reference():
        # Three upstream calls at once, as in a good product view, and no less of Django's own work.
        calls = [asgi_get("/bench/async", {"sku": support.random_sku()}) for _ in range(3)]
        await support.all_within(calls, "GET /bench/async")

    await timed_product(one, reference, upstream, what)
