"""Timing checks that a busy machine can't fool: measure, check the result first, then compare the time
with what sequential and concurrent code would take (halfway bars, never a wall-clock number alone)."""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _
from .core import fail

__all__ = ["record_measurement", "Stopwatch", "expect_concurrent", "expect_waves", "Gauge", "within", "CpuHere", "cpu_here", "cpu_cost"]


def record_measurement(name: str, value: float, unit: str = "") -> None:
    """Report a number this test really measured (a time, a speed-up) to the checker, which keeps the last
    one per name and exercise in the learner's progress for their TIL draft (`awaitlings til`).

    Does nothing outside a checker run (plain pytest without a report, a notebook, a worker process)."""
    import os

    from ..session import active

    session = active()
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    if session is None or not current or not math.isfinite(value):
        return
    from ..protocol import Measurement

    nodeid = current.rsplit(" (", 1)[0]  # "path::test (call)"
    session.emit(Measurement(nodeid=nodeid, name=name, value=round(float(value), 4), unit=unit))


def _record_overlap(what: str, elapsed: float, sequential: float) -> None:
    record_measurement(f"{what}: time taken", elapsed, "s")
    record_measurement(f"{what}: one after another (calls × wait)", sequential, "s")
    if elapsed > 0:
        record_measurement(f"{what}: speed-up", sequential / elapsed, "×")


class Stopwatch:
    """Measure wall time of a block: `with Stopwatch() as sw: ...` or `async with`."""

    def __init__(self) -> None:
        self.started = 0.0
        self.elapsed = 0.0

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.elapsed = time.perf_counter() - self.started

    async def __aenter__(self) -> Stopwatch:
        return self.__enter__()

    async def __aexit__(self, *exc) -> None:
        self.__exit__(*exc)


def expect_concurrent(elapsed: float, *, calls: int, each: float, what: str) -> None:
    """Fail unless `calls` waits of `each` seconds overlapped.

    The bar sits halfway between one wait and all waits in a row, so a busy machine does not make a
    concurrent answer fail and a sequential answer can never pass. Too fast is also wrong: the waits
    were then skipped, not overlapped."""
    sequential = calls * each
    bar = each + (sequential - each) / 2
    _record_overlap(what, elapsed, sequential)
    if elapsed >= bar:
        fail(_(
            "{what} ran sequentially: {calls} calls of {each} s took {elapsed} s "
            "(one after another: {sequential} s). Run concurrently they take about {each} s."
        ).format(what=what, calls=calls, each=f"{each:.2f}", elapsed=f"{elapsed:.2f}", sequential=f"{sequential:.2f}"))
    if elapsed < each * 0.8:
        fail(_(
            "{what} finished in {elapsed} s, faster than a single call ({each} s): "
            "were the calls really made and awaited?"
        ).format(what=what, elapsed=f"{elapsed:.3f}", each=f"{each:.2f}"))


def expect_waves(elapsed: float, *, calls: int, each: float, at_once: int, what: str, unit: str = "calls",
                 too_fast: bool = True) -> None:
    """Fail unless `calls` waits of `each` seconds, `at_once` of them at a time, overlapped.

    `expect_concurrent` for bounded concurrency (a pool of N workers, a semaphore): the bar sits halfway
    between the ideal (waves of `at_once`) and one-after-another. With `too_fast`, finishing sooner than
    the waves allow also fails: the waits were skipped, not overlapped."""
    ideal = math.ceil(calls / at_once) * each
    sequential = calls * each
    _record_overlap(what, elapsed, sequential)
    if elapsed >= ideal + (sequential - ideal) / 2:
        fail(
            f"{what} ran sequentially: {calls} {unit} of {each:.2f} s took {elapsed:.2f} s "
            f"(one after another: {sequential:.2f} s; {at_once} at a time: about {ideal:.2f} s)."
        )
    if too_fast and elapsed < ideal * 0.8:
        fail(
            f"{what} finished in {elapsed:.3f} s, faster than {calls} {unit} of {each:.2f} s, {at_once} at a "
            f"time, can be answered: were the {unit} really made?"
        )


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
    record_measurement("CPU time in the test process", measured.seconds, "s")


def cpu_cost(work) -> float:
    """CPU seconds `work()` costs when run right here: the baseline to compare a pool's run with."""
    started = time.process_time()
    work()
    seconds = time.process_time() - started
    record_measurement("CPU time of the same work run here", seconds, "s")
    return seconds


class Gauge:
    """Counts how many calls run at once: `with gauge: ...` around the body of a test double; `peak` is
    the most that overlapped. Counting can't be fooled by a busy machine the way a clock can."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0

    def __enter__(self) -> Gauge:
        self.now += 1
        self.peak = max(self.peak, self.now)
        return self

    def __exit__(self, *exc) -> None:
        self.now -= 1


async def within(seconds: float, awaitable, what: str, advice: str = "Is it waiting for something that never comes?"):
    """The awaitable's result, or a clear failure when it does not finish in `seconds`. A TimeoutError
    of the learner's own code is not ours: it propagates, for the test to look at."""
    import asyncio

    from ..diagnostics import stuck_report
    from .core import target_root

    # At the deadline, note where each pending task waits *before* cancelling unwinds them.
    loop, where = asyncio.get_running_loop(), []
    deadline = asyncio.timeout(None)

    def expire() -> None:
        try:
            root = target_root()
        except RuntimeError:  # outside a lesson run (a notebook, the checker's own tests): the folder we run in
            root = Path.cwd()
        where.append(stuck_report(root))
        deadline.reschedule(loop.time())

    handle = loop.call_later(seconds, expire)
    try:
        async with deadline:
            return await awaitable
    except TimeoutError:
        if deadline.expired():
            fail(f"{what} did not finish within {seconds:g} s. {advice}" + "".join(where))
        raise
    finally:
        handle.cancel()
