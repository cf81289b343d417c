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
# TODO: like the blog post, this starts processes at import time, and never waits for them.
#       A spawned child imports this file again, runs these lines too, and tries to start
#       processes of its own. Move them into a function that only runs under
#       `if __name__ == "__main__":`, then collect every result, join every process and print
#       one line per number.
numbers = [int(arg) for arg in sys.argv[1:]] or [20000, 30000]
results = ctx.Queue()
for n in numbers:
    process = ctx.Process(target=worker, args=(n, results))
    process.start()
print(f"started {len(numbers)} processes")
# --8<-- [end:main]
