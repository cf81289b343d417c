"""Count primes in child processes with `multiprocessing.Process`: the seed post's example, made to work.

    python ex01_processes.py 20000 30000 40000

starts one process per number. Each child counts the primes below its number and sends
(number, count, its pid) back through a Queue. The parent prints one line per number:

    primes below 20000: 2262 (process 4242)

The script uses the *spawn* start method on purpose: it is the default on macOS and Windows, and
code that works with spawn works everywhere. A spawned child is a fresh Python interpreter: it
imports this file again (under the name `__mp_main__`) to find `worker`.
"""

import multiprocessing
import os
import sys

from primes import count_primes_below

ctx = multiprocessing.get_context("spawn")


def worker(n: int, results) -> None:
    results.put((n, count_primes_below(n), os.getpid()))


# --8<-- [start:main]
def main(numbers: list[int]) -> None:
    results = ctx.Queue()
    processes = [ctx.Process(target=worker, args=(n, results)) for n in numbers]
    for process in processes:
        process.start()
    # Read the results before joining: a child that still has queued data may not exit until it
    # has been read, so join-then-get can wait forever.
    found = {}
    for _ in processes:
        n, count, pid = results.get(timeout=30)  # never wait forever for a child that died
        found[n] = (count, pid)
    for process in processes:
        process.join()
        if process.exitcode != 0:
            sys.exit(f"{process.name} failed with exit code {process.exitcode}")
    for n in numbers:
        count, pid = found[n]
        print(f"primes below {n}: {count} (process {pid})")


# A spawned child imports this file as `__mp_main__`, so this block runs only in the parent.
if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [20000, 30000])
# --8<-- [end:main]
