"""ex02: an asyncio.Semaphore bounds concurrency; results keep their order; slots are reused at once."""

import asyncio
import random
import secrets

from awaitlings.testing import Gauge, Stopwatch, expect_waves, fail, load, need


def make_call(delays: dict, token: str, gauge: Gauge, finished: list, limit: int | None = None):
    """A call that sleeps its item's delay. With `limit`, once more than `limit` calls ran at once the verdict
    is known: the calls still sleeping return at once, so a test never waits out a slow call for nothing."""
    over = asyncio.Event()

    async def call(item):
        with gauge:
            if limit is None:
                await asyncio.sleep(delays.get(item, 0.05))
            else:
                if gauge.peak > limit:
                    over.set()
                try:
                    await asyncio.wait_for(over.wait(), delays.get(item, 0.05))
                except TimeoutError:
                    pass
        finished.append(item)
        return f"{item}:{token}"

    return call


async def test_when_many_items_are_mapped_then_at_most_limit_run_at_once(within):
    map_limited = need(load("ex02_limit"), "map_limited", "coroutine function")
    limit = random.choice([2, 3, 4])
    items = random.sample(range(1000), 3 * limit)
    token, gauge, finished = secrets.token_hex(3), Gauge(), []
    call = make_call({item: 0.02 + 0.01 * (i % 3) for i, item in enumerate(items)}, token, gauge, finished)
    async with Stopwatch() as sw:
        got = await within(5, map_limited(call, items, limit), "map_limited")
    want = [f"{item}:{token}" for item in items]
    if got is None or list(got) != want:
        shown = None if got is None else list(got)[:3]
        fail(f"map_limited should return the results in the order of the items: {want[:3]}..., got {shown}...")
    if gauge.peak > limit:
        fail(
            f"{gauge.peak} calls ran at once, but the limit was {limit}. A semaphore only limits if every call "
            "shares the same one: create it once, outside the per-item function."
        )
    if gauge.peak < limit:
        ran = "ran sequentially" if gauge.peak == 1 else f"never ran more than {gauge.peak} calls at once"
        fail(
            f"map_limited {ran}: {len(items)} calls took {sw.elapsed:.2f} s. With limit={limit}, keep all "
            f"{limit} slots busy."
        )
    expect_waves(sw.elapsed, calls=len(items), each=0.03, at_once=limit, what="map_limited", too_fast=False)


async def test_when_one_call_is_slow_then_the_other_slots_keep_working(within):
    map_limited = need(load("ex02_limit"), "map_limited", "coroutine function")
    limit = 3
    items = list(range(14))
    token, gauge, finished = secrets.token_hex(3), Gauge(), []
    # Item 0 is slow: while it holds one slot, the other two finish the 13 quick calls (~0.07 s) long before it.
    slow = 0.2
    call = make_call({item: slow if item == 0 else 0.01 for item in items}, token, gauge, finished, limit)
    got = await within(5, map_limited(call, items, limit), "map_limited")
    if got is None or list(got) != [f"{item}:{token}" for item in items]:
        fail("map_limited should return every result, in the order of the items.")
    done_before_slow = finished.index(0)
    if gauge.peak > limit:
        fail(f"{gauge.peak} calls ran at once, but the limit was {limit}.")
    if done_before_slow < len(items) - 1 - limit:
        fail(
            f"While one slow call ({slow:g} s) held a slot, only {done_before_slow} of the {len(items) - 1} quick calls "
            f"finished: the other {limit - 1} slots waited for it. Running the items in batches of {limit} makes "
            "every batch wait for its slowest call; a semaphore hands a slot on as soon as any call finishes."
        )
