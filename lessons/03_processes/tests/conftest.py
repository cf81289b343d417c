"""Fixtures shared by the lesson 03 tests (course-owned).

Set AWAITLINGS_MP_START=spawn (or forkserver, fork) to run every pool the learner creates with that
start method: the course checks its solutions under all three, so the exercises work on macOS and
Windows (spawn) and on Python 3.14+ (forkserver is Linux's default there) as well as with fork.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from awaitlings.testing import fail

if os.environ.get("AWAITLINGS_MP_START"):
    multiprocessing.set_start_method(os.environ["AWAITLINGS_MP_START"], force=True)


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


@dataclass
class CpuHere:
    seconds: float = 0.0  # CPU time used by this process (all its threads) during the block


@contextmanager
def cpu_here():
    """How much CPU time this process spent in the block. Unlike wall time, it hardly depends on how
    busy the machine is, and unlike the children's CPU time it works with every start method and OS."""
    measured = CpuHere()
    started = time.process_time()
    yield measured
    measured.seconds = time.process_time() - started


def cpu_cost(work) -> float:
    """CPU seconds `work()` costs when run right here: the baseline for `expect_work_elsewhere`."""
    with cpu_here() as measured:
        work()
    return measured.seconds


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


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """Every test must leave no child processes running."""
    yield
    left = multiprocessing.active_children()
    for child in left:
        child.join(timeout=5)
