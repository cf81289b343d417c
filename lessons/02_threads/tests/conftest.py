"""Lesson 02's fixtures: the slow HTTP server, fresh paths, no stray threads (course-owned).
Helpers the test modules share are in support.py."""

from __future__ import annotations

import secrets
import threading

import pytest


@pytest.fixture(scope="session")
def _slow_server():
    from slow_server import SlowServer  # imported late: the plugin puts the lesson on sys.path first

    with SlowServer(delay=0.1) as server:
        yield server


@pytest.fixture
def server(_slow_server):
    """The slow HTTP server, with its counters (peak, served) reset for this test. Afterwards it answers
    what is still waiting at once (503), so threads a failing answer left behind end without delay."""
    _slow_server.reset()
    yield _slow_server
    _slow_server.abort()


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
