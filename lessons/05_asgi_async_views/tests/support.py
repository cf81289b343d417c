"""What lesson 05's test modules share (imported as `support`; fixtures live in conftest.py): the
waits, the upstream's answers, and the checks of JSON bodies and of overlapping waits."""

from __future__ import annotations

import asyncio
import os
import random
import string
import sys
import threading
import time

from awaitlings.testing import Stopwatch, fail, record_measurement
from upstream import WEIGHTS as weights  # noqa: F401 - course-owned, next to the files under test
from upstream import price_of, reviews_of, stock_of  # noqa: F401

# /price and /ex02/ping wait this long, /stock and /reviews 1.5 times this (upstream.WEIGHTS). Short, so that
# `awaitlings check 05` answers fast: overlap is judged by counting (calls in flight at the upstream, sleeps
# in progress at once), which doesn't depend on how long a wait is, and the clock only decides where
# nothing could be counted, always against the same waits done in a row (4 or 2.7 times as long).
DELAY = 0.05
# asyncio debug mode names a callback that held the loop longer than this (see awaitlings.diagnostics):
# below one wait, so a blocking `time.sleep(DELAY)` in a view is reported with its line.
SLOW_CALLBACK = DELAY * 0.6
REQUEST_TIMEOUT = 4.0


def random_sku() -> str:
    return "SKU-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=6))


async def all_within(calls, what: str, timeout: float = REQUEST_TIMEOUT) -> list:
    """Run the awaitables concurrently; fail (instead of hanging) when they take too long."""
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.gather(*calls)
    except TimeoutError:
        fail(f"{what} did not answer within {timeout:.0f} s.")


def json_of(response, what: str) -> dict:
    """The JSON body of a 200 response, or a failure that says what came back instead."""
    status = getattr(response, "status_code", None)
    body = response.content if hasattr(response, "content") else b""
    if status != 200:
        text = body.decode(errors="replace").strip()
        fail(f"{what} answered HTTP {status}, expected 200 with JSON. It said: {_last_lines(text)}")
    try:
        return response.json()
    except ValueError:
        fail(f"{what} answered {body[:200]!r}, which isn't JSON. Return a JsonResponse.")


def _last_lines(text: str) -> str:
    """A Django plain-text error page starts with the exception; other bodies are cut short."""
    if "Traceback" in text:
        # Django's plain-text debug page: "KeyError at /path", then the exception's message.
        return " ".join(text.splitlines()[:2])[:300]
    return text[:300]


def expect_json(got: dict, want: dict, what: str) -> None:
    if got != want:
        wrong = {k: got.get(k, "<missing>") for k in want if got.get(k, object()) != want[k]}
        extra = sorted(set(got) - set(want))
        detail = f"wrong or missing: {wrong}" + (f"; unexpected keys: {extra}" if extra else "")
        fail(f"{what}: expected {want}, got {got} ({detail}).")


def record_overlap(what: str, elapsed: float, in_a_row: float) -> None:
    """Keep the numbers this check measured for the learner's TIL draft (`awaitlings til 05`): how long
    the calls took, how long the same waits take one after another, and the ratio. (The names are the
    ones awaitlings.testing's own timing checks use, so the draft shows them in either language.)"""
    record_measurement(f"{what}: time taken", elapsed, "s")
    record_measurement(f"{what}: one after another (calls × wait)", in_a_row, "s")
    if elapsed > 0:
        record_measurement(f"{what}: speed-up", in_a_row / elapsed, "×")


async def timed(measure, reference, *, ideal: float, in_a_row: float, reference_ideal: float, what: str,
                reference_what: str, overlap_seen=lambda: False, tries: int = 3) -> None:
    """Fail unless `measure()` overlapped its waits: it must beat doing them in a row, and must not
    take much longer than a known-good `reference()` measured next to it.

    `measure()` checks its own results. Concurrently it takes `ideal` seconds plus Django's own work,
    one wait after another `in_a_row`; `reference()` (the course's own async view) takes
    `reference_ideal` plus the same kind of work, so a busy machine slows both alike. Nothing that
    waits in a row can take less than `in_a_row`, so a sequential answer never passes, however the
    reference did, unless `overlap_seen()` counted the waits overlapping. A run within half the penalty of `ideal` passes without a reference: the reference
    never takes less than `reference_ideal`, so it could not change that verdict. An unclear run
    (faster than in a row, seen overlapping by the upstream, or next to a reference slowed down by a
    busy machine) is measured again, up to `tries` times; a clearly sequential one fails at once."""
    offset = ideal - reference_ideal
    penalty = in_a_row - ideal
    best = float("inf")
    for attempt in range(1, tries + 1):
        with Stopwatch() as sw:
            await measure()
        record_overlap(what, sw.elapsed, in_a_row)
        if sw.elapsed < ideal * 0.8:
            fail(f"{what} took {sw.elapsed:.3f} s, less than one wait ({ideal:.2f} s): were the waits really awaited?")
        if sw.elapsed - ideal < penalty / 2:
            return
        with Stopwatch() as ref_sw:
            await reference()
        extra = sw.elapsed - ref_sw.elapsed - offset
        best = min(best, extra)
        overlapped = overlap_seen()
        # Seen overlapping, the waits were not in a row whatever the clock says (a busy machine can
        # stretch both runs past `in_a_row`); what's left to judge is whether something else was slow.
        if (sw.elapsed < in_a_row or overlapped) and extra < penalty / 2:
            return
        busy = ref_sw.elapsed - reference_ideal > penalty / 2  # the machine is too busy to judge right now
        if attempt < tries and (overlapped or busy or sw.elapsed < in_a_row):
            continue
        if overlapped:
            fail(
                f"{what}: the calls did overlap at the upstream, but even the best of {attempt} tries took "
                f"{best:.2f} s longer than it should have, next to {reference_what}. Is something else in the view "
                "slow, such as a blocking call or a new default httpx client per call?"
            )
        fail(
            f"{what} took {sw.elapsed:.2f} s, while {reference_what} took {ref_sw.elapsed:.2f} s right after. "
            f"The waits ran one after another: in a row they take {in_a_row:.2f} s, together about {ideal:.2f} s."
        )


def expect_overlap(upstream, calls: int, each: float, elapsed: float, what: str) -> None:
    """Fail unless the upstream had more than one of these calls in flight at some moment.

    The upstream counts its requests in flight. A view that blocks the event loop can only ever have
    one call out at a time, however fast or slow the machine is, so this can't be fooled by load."""
    record_overlap(what, elapsed, calls * each)
    if upstream.peak < 2:
        fail(
            f"{what} reached the upstream one at a time and took {elapsed:.2f} s in all "
            f"({calls} waits of {each:.2f} s in a row). Waiting together, they take about {each:.2f} s."
        )


def threads_inside(path: str) -> int:
    """How many threads, other than this one, are running code from the file `path` or waiting in a
    blocking httpx.Client call right now (an async view waits on the loop, not in a thread)."""
    target = os.path.realpath(path)
    sync_client_file = os.path.join("httpx", "_client.py")
    current = threading.get_ident()
    count = 0
    for ident, frame in sys._current_frames().items():  # noqa: SLF001 - the one way to see other threads
        if ident == current:
            continue
        while frame is not None:
            code = frame.f_code
            in_view = os.path.realpath(code.co_filename) == target
            in_sync_client = code.co_filename.endswith(sync_client_file) and code.co_qualname.startswith("Client.")
            if in_view or in_sync_client:
                count += 1
                break
            frame = frame.f_back
    return count


class SleepWatch:
    """Counts sleeps of at least `shortest` seconds in progress at once, while active.

    It wraps asyncio.sleep (on the event loop's thread) and time.sleep (in any thread but the upstream's)
    and calls the originals, so waits still take as long; `peak` is how many overlapped. A view that
    waits some other way leaves `peak` at 0: then only the clock can tell."""

    def __init__(self, shortest: float) -> None:
        self.shortest = shortest
        self.waiting = 0
        self.peak = 0
        self.count = 0
        self.loop_thread = threading.get_ident()
        self._async_sleep = asyncio.sleep
        self._sync_sleep = time.sleep

    def _counted(self, delay) -> bool:
        try:
            return float(delay) >= self.shortest
        except (TypeError, ValueError):
            return False

    def _enter(self) -> None:
        self.waiting += 1
        self.count += 1
        self.peak = max(self.peak, self.waiting)

    async def async_sleep(self, delay, *args, **kwargs):
        if threading.get_ident() != self.loop_thread or not self._counted(delay):
            return await self._async_sleep(delay, *args, **kwargs)
        self._enter()
        try:
            return await self._async_sleep(delay, *args, **kwargs)
        finally:
            self.waiting -= 1

    def sync_sleep(self, delay):
        if threading.current_thread().name == "upstream" or not self._counted(delay):
            return self._sync_sleep(delay)
        self._enter()
        try:
            return self._sync_sleep(delay)
        finally:
            self.waiting -= 1
