"""Helpers lesson 03's test modules share (imported as `support`; fixtures live in conftest.py)."""

from __future__ import annotations

import multiprocessing

from awaitlings.testing import fail


def primes_below(n: int) -> int:
    """The reference answer, computed differently from primes.py (a sieve), so a shared bug can't hide."""
    if n < 3:
        return 0
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(n**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(range(i * i, n, i)))
    return sum(sieve)


def expect_work_elsewhere(used_here: float, baseline: float, what: str) -> None:
    left = multiprocessing.active_children()
    if left:
        fail(
            f"{len(left)} worker process(es) were still running after {what} returned: shut the pool down "
            "(`with ProcessPoolExecutor(...) as pool:` does it for you), so no process is left behind."
        )
    if used_here > baseline / 2:
        fail(
            f"{what} did its computing in this process: it used {used_here:.2f} s of CPU here, while doing "
            f"the same work directly costs {baseline:.2f} s. Threads (or no pool at all) share this "
            "process's single GIL; send the work to a process pool."
        )
