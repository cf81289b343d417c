"""ex02: a ProcessPoolExecutor runs CPU-bound chunks in worker processes."""

import multiprocessing
import random

from awaitlings.testing import cpu_cost, cpu_here, fail, load, need
from support import expect_work_elsewhere, primes_below


# No worker process may be left running: expect_work_elsewhere checks it first (it was a test of its own,
# which a starter without any pool passed by accident).
def test_when_primes_are_counted_then_the_answer_is_right_and_the_work_ran_in_worker_processes():
    count_primes_parallel = need(load("ex02_process_pool"), "count_primes_parallel")
    from primes import count_primes

    limit = random.randint(80_000, 100_000)  # ~0.06 s of CPU here: half of it is still ~4x what a correct pool costs here
    baseline = cpu_cost(lambda: count_primes(0, limit))
    with cpu_here() as here:
        got = count_primes_parallel(limit, workers=2)
    want = primes_below(limit)
    if got != want:
        fail(f"count_primes_parallel({limit}) should be {want}, got {got}.")
    expect_work_elsewhere(here.seconds, baseline, "count_primes_parallel")
