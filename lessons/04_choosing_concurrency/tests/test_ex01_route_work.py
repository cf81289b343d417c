"""ex01: async I/O awaited, CPU-bound work in a process pool, blocking I/O in a thread.

Where each piece of work ran is read from shop.py's own notes (which process, which thread), not from
the clock, so the verdict doesn't depend on how busy the machine is."""

import asyncio
import random
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from awaitlings.testing import fail, load, need


async def run_orders(n: int):
    """Process n random orders with the learner's code; return (shop, orders, expected, got)."""
    import shop

    process_orders = need(load("ex01_route_work"), "process_orders", "coroutine function")
    shop.reset()
    orders = [shop.Order(id=random.randint(1000, 9999), sku=f"sku-{random.randint(1, 99999)}") for _ in range(n)]
    # The verdicts come from shop's notes (which thread, which process, how many at once), not the clock:
    # shorter waits than the notebook's prove the same and answer sooner.
    # Less CPU per invoice too (~0.1 s -> ~0.03 s): where it ran is what counts, not how long it took. The
    # pool's children are forked after this, so they render with the smaller count as well.
    settings = shop.PRICE_LATENCY, shop.SAVE_LATENCY, shop.RENDER_STEPS
    shop.PRICE_LATENCY, shop.SAVE_LATENCY, shop.RENDER_STEPS = 0.03, 0.07, 200_000
    try:
        with ProcessPoolExecutor(max_workers=2) as pool:
            # The expected invoices, rendered in the pool (a child's notes stay in the child).
            want = list(pool.map(shop.render_invoice, [o.id for o in orders], [shop.price_of(o.sku) for o in orders]))
            started = time.perf_counter()
            async with asyncio.timeout(20):
                got = await process_orders(orders, pool)
            shop.elapsed = time.perf_counter() - started
    finally:
        shop.PRICE_LATENCY, shop.SAVE_LATENCY, shop.RENDER_STEPS = settings
    if got is None:
        fail("process_orders returned None: it should return one invoice text per order.")
    if list(got) != want:
        fail(f"process_orders should return {want[:1]}... (one invoice per order, in order), got {list(got)[:1]}...")
    return shop, orders


_run: dict = {}


async def the_run():
    """Both tests judge one run of process_orders (where it rendered, where it saved, what it returned): the
    first test to ask makes it, the other reads the same notes (or gets the same failure)."""
    if "outcome" not in _run:
        try:
            _run["outcome"] = (await run_orders(2), None)
        except Exception as error:  # noqa: BLE001 - handed to both tests
            _run["outcome"] = (None, error)
    result, error = _run["outcome"]
    if error is not None:
        raise error
    return result


async def test_when_orders_are_processed_then_invoices_are_rendered_in_other_processes():
    shop, orders = await the_run()
    if shop.rendered_here:
        where = "the event loop's own thread" if "MainThread" in shop.rendered_here else "a thread of this process"
        fail(
            f"render_invoice ran in {where}. It is CPU-bound Python: on the loop it stops every other task, and in "
            "a thread it still needs this process's one GIL. Send it to the process pool: "
            "`await loop.run_in_executor(pool, render_invoice, ...)`."
        )
    if shop.prices.peak < 2:
        fail(
            f"process_orders ran sequentially: {len(orders)} orders took {shop.elapsed:.2f} s and never had two "
            "prices fetched at once. Handle them all at once with asyncio.gather."
        )


async def test_when_invoices_are_saved_then_it_happens_in_a_thread_of_this_process():
    loop_thread = threading.get_ident()  # the thread the event loop runs on (the same for both tests)
    shop, orders = await the_run()
    missing = [o.id for o in orders if shop.SAVED.get(o.id) is None]
    if missing:
        fail(
            f"The invoices of orders {missing} are not in this process's store (shop.SAVED): save_invoice ran "
            "in another process, which wrote to its own copy of the store, and that copy is gone. Blocking "
            "I/O that must change this process's state belongs in a thread."
        )
    if loop_thread in shop.saved_on:
        fail(
            "save_invoice ran on the event loop's thread: it blocks its thread, and the whole loop (every other "
            "order, every other request) waits with it. Run it with `await asyncio.to_thread(save_invoice, ...)`."
        )
