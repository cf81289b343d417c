"""An asyncio service that answers CPU-heavy questions: "how many primes are there below n?".

`answer_all(numbers, pool)` is called from async code (think: an async view handling several
requests). Counting primes is pure-Python computation: inside `async def` it holds the event loop
for as long as it runs, and every other task, every other request, waits.
"""

from __future__ import annotations

import asyncio  # noqa: F401 - you will need it
from concurrent.futures import Executor

from primes import count_primes_below


# --8<-- [start:answer_all]
async def answer_all(numbers: list[int], pool: Executor) -> list[int]:
    # TODO: the computation runs on the event loop itself. Hand each call to the process pool you are
    #       given with the running loop's run_in_executor(), and await them all together.
    return [count_primes_below(n) for n in numbers]
# --8<-- [end:answer_all]


if __name__ == "__main__":
    import time
    from concurrent.futures import ProcessPoolExecutor

    async def main() -> None:
        with ProcessPoolExecutor(max_workers=2) as pool:
            started = time.perf_counter()
            print(await answer_all([150_000, 160_000, 170_000, 180_000], pool))
            print(f"{time.perf_counter() - started:.2f} s")

    asyncio.run(main())
