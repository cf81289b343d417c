"""Measure what processes buy you on this machine (course-owned; the notebook plots it).

    python bench.py

1. speed-up: count the primes below LIMIT in one process, then on pools of 1, 2 and 4 worker
   processes; speed-up = one-process time / pool time, compared with the ideal, which is
   min(workers, CPU cores): 2 cores can never give more than 2x.
2. start-up: how long a pool takes to start and answer one trivial call, per start method.
3. overhead: many tiny tasks (is_prime of one number each) cost more to send than to compute;
   `chunksize` batches them.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from primes import count_primes, is_prime

LIMIT = 400_000


def chunks(limit: int, parts: int) -> list[tuple[int, int]]:
    edges = [limit * i // parts for i in range(parts + 1)]
    return list(zip(edges, edges[1:]))


# --8<-- [start:speedup]
def on_pool(workers: int, limit: int = LIMIT) -> tuple[int, float]:
    starts, stops = zip(*chunks(limit, workers * 4))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        total = sum(pool.map(count_primes, starts, stops))
    return total, time.perf_counter() - started


def speedup(worker_counts=(1, 2, 4), limit: int = LIMIT, repeat: int = 2) -> dict[int, dict[str, float]]:
    """Best-of-`repeat` time in one process and on each pool size; speed-up and share of the ideal."""
    cores = os.cpu_count() or 1
    alone, pooled = [], {workers: [] for workers in worker_counts}
    for _ in range(repeat):  # interleave runs, so a burst of load from elsewhere hits all of them
        started = time.perf_counter()
        want = count_primes(0, limit)
        alone.append(time.perf_counter() - started)
        for workers in worker_counts:
            got, elapsed = on_pool(workers, limit)
            assert got == want, f"{got} != {want}"
            pooled[workers].append(elapsed)
    out = {}
    for workers, times in pooled.items():
        ratio, ideal = min(alone) / min(times), min(workers, cores)
        out[workers] = {"speedup": ratio, "ideal": ideal, "of_ideal": ratio / ideal}
    return out
# --8<-- [end:speedup]


def _nothing(x: int) -> int:
    return x


def startup(methods=("fork", "spawn", "forkserver"), repeat: int = 3) -> dict[str, float]:
    """Seconds to start a 2-worker pool and get one trivial answer back, best of `repeat`."""
    out = {}
    for method in methods:
        context = multiprocessing.get_context(method)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
                pool.submit(_nothing, 1).result()
            times.append(time.perf_counter() - started)
        out[method] = min(times)
    return out


def overhead(n: int = 5_000, chunksizes=(1, 50, 500)) -> dict[str, float]:
    """Seconds to test n small numbers for primality: in this process, then on a 2-worker pool."""
    numbers = range(10_000, 10_000 + n)
    started = time.perf_counter()
    want = sum(map(is_prime, numbers))
    out = {"in this process": time.perf_counter() - started}
    for size in chunksizes:
        with ProcessPoolExecutor(max_workers=2) as pool:
            pool.submit(_nothing, 0).result()  # start the workers before the clock
            started = time.perf_counter()
            assert sum(pool.map(is_prime, numbers, chunksize=size)) == want
            out[f"pool, chunksize={size}"] = time.perf_counter() - started
    return out


def main() -> None:
    print(f"{os.cpu_count()} CPU cores, primes below {LIMIT:,}\n")
    for workers, r in speedup().items():
        print(f"{workers} worker(s): {r['speedup']:.2f}x (ideal {r['ideal']}x, {r['of_ideal']:.0%} of ideal)")
    print("\npool start-up + one call:")
    for method, seconds in startup().items():
        print(f"  {method:<10} {seconds * 1000:6.0f} ms")
    print("\n5,000 tiny tasks:")
    for what, seconds in overhead().items():
        print(f"  {what:<22} {seconds:.3f} s")


if __name__ == "__main__":
    main()
