"""Count the primes below `limit` on every core with a `ProcessPoolExecutor`.

The range [0, limit) is cut into chunks; each chunk is one task. In this process alone the work
runs on one core, whatever you do with threads (the GIL). A pool of worker processes runs the
chunks in parallel, each process with its own interpreter and its own GIL.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor  # noqa: F401 - you will need it

from primes import count_primes


def chunks(limit: int, parts: int) -> list[tuple[int, int]]:
    """[0, limit) cut into `parts` consecutive (start, stop) ranges."""
    edges = [limit * i // parts for i in range(parts + 1)]
    return list(zip(edges, edges[1:]))


# --8<-- [start:count_primes_parallel]
def count_primes_parallel(limit: int, workers: int = 2) -> int:
    ranges = chunks(limit, workers * 4)  # a few chunks per worker, so no core sits idle at the end
    # TODO: every chunk runs here, in this process, one after another. Run them on a
    #       ProcessPoolExecutor with `workers` processes, and shut the pool down when done.
    return sum(count_primes(start, stop) for start, stop in ranges)
# --8<-- [end:count_primes_parallel]


if __name__ == "__main__":  # needed: with spawn, each worker process imports this file
    import time

    started = time.perf_counter()
    print(count_primes_parallel(300_000), f"primes below 300,000 in {time.perf_counter() - started:.2f} s")
