"""Fixtures shared by the lesson 02 tests (course-owned)."""

from __future__ import annotations

import math
import secrets
import threading

import pytest

from awaitlings.testing import fail


@pytest.fixture(scope="session")
def _slow_server():
    from slow_server import SlowServer  # imported late: the plugin puts the lesson on sys.path first

    with SlowServer(delay=0.1) as server:
        yield server


@pytest.fixture
def server(_slow_server):
    """The slow HTTP server, with its counters (peak, served) reset for this test."""
    _slow_server.reset()
    yield _slow_server


@pytest.fixture
def paths():
    """`paths(n)`: n fresh random paths, so no answer can be remembered from another run."""

    def _paths(n: int, prefix: str = "page") -> list[str]:
        return [f"{prefix}/{n}-{secrets.token_hex(3)}" for n in range(n)]

    return _paths


@pytest.fixture(autouse=True)
def no_stray_threads():
    """Threads the learner's code started must be gone once a test is over: wait a little for them
    (a test may have failed before they finished), so one test's threads never skew the next."""
    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        if not thread.daemon:
            thread.join(timeout=2)


def expect_overlap(elapsed: float, *, calls: int, each: float, at_once: int, what: str) -> None:
    """Fail unless `calls` waits of `each` seconds, `at_once` of them at a time, overlapped.

    The bar sits halfway between the ideal (waves of `at_once`) and one-after-another, so a busy
    machine does not fail a concurrent answer and a sequential answer can never pass."""
    ideal = math.ceil(calls / at_once) * each
    sequential = calls * each
    bar = ideal + (sequential - ideal) / 2
    if elapsed >= bar:
        fail(
            f"{what} ran sequentially: {calls} requests of {each:.2f} s took {elapsed:.2f} s "
            f"(one after another: {sequential:.2f} s; {at_once} at a time: about {ideal:.2f} s)."
        )
    if elapsed < ideal * 0.8:
        fail(
            f"{what} finished in {elapsed:.3f} s, faster than {calls} requests of {each:.2f} s, {at_once} at a "
            "time, can be answered: were the requests really made?"
        )


def expect_bodies(got, want: list[str], what: str) -> None:
    if got is None:
        fail(f"{what} returned None: it should return the {len(want)} page bodies.")
    got = list(got)
    if sorted(map(str, got)) == sorted(want) and got != want:
        fail(f"{what} returned the right pages in the wrong order: keep the order of the urls you were given.")
    if got != want:
        fail(f"{what} returned {len(got)} item(s) that don't match the {len(want)} pages the server sent. First: {got[:1]}")
