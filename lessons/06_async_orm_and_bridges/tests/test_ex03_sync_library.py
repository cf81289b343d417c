import asyncio

import pytest
from awaitlings.testing import ExerciseProblem, Stopwatch, expect_concurrent, fail, load
from support import PRICING_DELAY, call, json_of, random_isbn
from upstream import price_for

pytestmark = pytest.mark.django_db(transaction=True)


def quote_path(isbns: list[str]) -> str:
    return "/ex03/quotes/?" + "&".join(f"isbn={i}" for i in isbns)


def check_answer(got: dict, isbns: list[str], what: str) -> None:
    want = {isbn: str(price_for(isbn)) for isbn in isbns}
    assert got.get("quotes") == want, f"{what}: expected quotes {want}, got {got.get('quotes')}"
    total = str(sum(price_for(i) for i in isbns))
    assert got.get("total") == total, f"{what}: expected total {total}, got {got.get('total')}"


async def test_the_quotes_are_fetched_at_the_same_time(async_client, pricing, rng):
    load("ex03_sync_library")
    isbns = [random_isbn(rng) for _ in range(4)]
    async with Stopwatch() as sw:
        response = await call(async_client, "get", quote_path(isbns))
    check_answer(json_of(response, "GET /ex03/quotes/"), isbns, "GET /ex03/quotes/")
    try:
        expect_concurrent(sw.elapsed, calls=len(isbns), each=PRICING_DELAY, what="/ex03/quotes/ with 4 ISBNs")
    except ExerciseProblem as problem:
        if sw.elapsed < PRICING_DELAY:
            raise
        fail(
            f"{problem} If quote() already runs in a worker thread: with thread_sensitive=True (the default) "
            "all calls of one request wait for the same single thread."
        )


async def test_the_event_loop_keeps_running_while_quotes_wait(async_client, pricing, rng):
    load("ex03_sync_library")
    loop = asyncio.get_running_loop()
    gaps: list[float] = []

    async def ticker():
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        isbns = [random_isbn(rng) for _ in range(4)]
        response = await call(async_client, "get", quote_path(isbns))
    finally:
        ticking.cancel()
    check_answer(json_of(response, "GET /ex03/quotes/"), isbns, "GET /ex03/quotes/")
    longest = max(gaps, default=0.0)
    if longest > 2 * PRICING_DELAY:  # a blocked loop stalls for all 4 calls (0.8 s); a busy machine, far less
        fail(
            f"While /ex03/quotes/ waited for prices, the event loop stood still for {longest:.2f} s: quote() "
            "ran on the loop's own thread, so every other request on this server waited too. Run it in a "
            "worker thread."
        )
