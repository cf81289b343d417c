"""ex04: loop.run_in_executor sends CPU-bound calls to a process pool and keeps the event loop free."""

import asyncio
import random
import time
from concurrent.futures import ProcessPoolExecutor

from awaitlings.testing import cpu_cost, cpu_here, fail, load, need
from support import expect_work_elsewhere, primes_below


class WatchedPool(ProcessPoolExecutor):
    """A process pool that remembers the most calls it ever had waiting or running at once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pending: set = set()
        self.peak = 0
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        future = super().submit(fn, *args, **kwargs)
        self.submitted += 1
        self.pending.add(future)
        self.peak = max(self.peak, len(self.pending))
        future.add_done_callback(self.pending.discard)
        return future


async def run_with_heartbeat(coro, seconds: float = 20.0):
    """Await `coro` while a heartbeat task ticks every 10 ms; return (result, longest gap between ticks)."""
    gaps: list[float] = []

    async def heartbeat():
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = asyncio.create_task(heartbeat())
    await asyncio.sleep(0)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(seconds):
            result = await coro
    except TimeoutError:
        fail(f"answer_all did not finish within {seconds:g} s.")
    finally:
        beat.cancel()
    return result, max(gaps, default=time.perf_counter() - started)


def check_answers(got, numbers):
    want = [primes_below(n) for n in numbers]
    if got is None:
        fail("answer_all returned None: it should return one count per number.")
    if list(got) != want:
        fail(f"answer_all({numbers}) should return {want}, got {list(got)}.")


async def expect_the_pool_used(answer_all, pool):
    """The exercise's basic behaviour, counted on a small question before the timed one (which a starter
    computing on the event loop would otherwise hold for a second): the calls go to the pool. It also
    starts the pool's workers, outside the measurement."""
    numbers = [random.randint(2_000, 3_000) for _ in range(2)]
    async with asyncio.timeout(20):
        check_answers(await answer_all(numbers, pool), numbers)
    if pool.submitted == 0:
        fail(
            "answer_all did its computing in this process: it never handed a call to the pool it was given. "
            "Computation inside `async def` holds the event loop; send it to the pool with "
            "`await loop.run_in_executor(pool, func, arg)`."
        )
    pool.submitted = pool.peak = 0


async def test_when_answers_are_computed_then_the_event_loop_keeps_running():
    answer_all = need(load("ex04_run_in_executor"), "answer_all", "coroutine function")
    numbers = [random.randint(120_000, 160_000) for _ in range(3)]
    with WatchedPool(max_workers=2) as pool:
        await expect_the_pool_used(answer_all, pool)
        got, longest_gap = await run_with_heartbeat(answer_all(numbers, pool))
    check_answers(got, numbers)
    if longest_gap > 0.2:
        fail(
            f"While answer_all computed, the event loop stood still for {longest_gap:.2f} s: a task that "
            "should tick every 0.01 s could not run. Computation inside `async def` holds the loop; send it "
            "to the pool with `await loop.run_in_executor(pool, func, arg)`."
        )


async def test_when_answers_are_computed_then_the_work_runs_in_the_pool_processes():
    answer_all = need(load("ex04_run_in_executor"), "answer_all", "coroutine function")
    from primes import count_primes_below

    numbers = [random.randint(25_000, 35_000) for _ in range(4)]  # ~0.05 s of CPU here: half of it is still ~10x what a correct run costs here
    with WatchedPool(max_workers=2) as pool:
        await expect_the_pool_used(answer_all, pool)
        baseline = cpu_cost(lambda: [count_primes_below(n) for n in numbers])
        with cpu_here() as here:
            started = time.perf_counter()
            async with asyncio.timeout(20):  # no heartbeat here: its own CPU time would blur the measurement
                got = await answer_all(numbers, pool)
            elapsed = time.perf_counter() - started
    check_answers(got, numbers)
    expect_work_elsewhere(here.seconds, baseline, "answer_all")
    if pool.peak < 2:
        fail(
            f"answer_all ran sequentially: it sent the {len(numbers)} calls to the pool one at a time (never more "
            f"than {pool.peak} in the pool at once; {elapsed:.2f} s in all), so one worker process sat idle. Create every "
            "run_in_executor() future first, then await them together with asyncio.gather()."
        )
