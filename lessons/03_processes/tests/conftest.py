"""Lesson 03's fixtures (course-owned); helpers its test modules share are in support.py.

Set AWAITLINGS_MP_START=spawn (or forkserver, fork) to run every pool the learner creates with that
start method: the course checks its solutions under all three, so the exercises work on macOS and
Windows (spawn) and on Python 3.14+ (forkserver is Linux's default there) as well as with fork.
"""

from __future__ import annotations

import multiprocessing
import os

import pytest


if os.environ.get("AWAITLINGS_MP_START"):
    multiprocessing.set_start_method(os.environ["AWAITLINGS_MP_START"], force=True)


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """Every test must leave no child processes running."""
    yield
    left = multiprocessing.active_children()
    for child in left:
        child.join(timeout=5)
