"""Lesson 15 fixtures: one real worker for the run, beats started per test on a fast clock, and the
runs the worker recorded in Redis. Redis, CeleryWorker and CeleryBeat come from awaitlings."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from awaitlings.testing import fail
from awaitlings.testing.beat import CeleryBeat
from awaitlings.testing.celery import CeleryWorker

TICK = 0.2  # the fast clock: every entry is due at every multiple of 0.2 s (config/fast_clock.py)


def app_problem() -> str:
    """Why the project can't start a worker or a beat ("" when it can), in one sentence."""
    try:
        import config  # noqa: F401
        from django.conf import settings

        settings.CELERY_BEAT_SCHEDULE  # noqa: B018 - imports the exercises' settings modules
    except Exception as error:  # noqa: BLE001
        return f"the settings raised {type(error).__name__}: {error}"
    return ""


def _new_worker(redis_url: str) -> CeleryWorker:
    return CeleryWorker("config", concurrency=2, env={"REDIS_URL": redis_url, "BEAT_TEST_SECONDS": str(TICK)})


_prestarted: dict[str, CeleryWorker] = {}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Start the run's worker while pytest still sets up, when a selected test will ask for it: its boot
    overlaps the first tests instead of delaying the first one that needs it. Nothing of your project runs
    in this process for it; the `worker` fixture still checks that the project loads before it waits."""
    url = os.environ.get("REDIS_URL")
    if url and any("worker" in item.fixturenames for item in items):
        try:
            _prestarted[url] = _new_worker(url).start()
        except Exception:  # noqa: BLE001 - the fixture starts one again and explains
            pass


def pytest_sessionfinish(session):
    for w in _prestarted.values():  # never asked for (its tests were skipped): don't leave it running
        w.stop(grace=0)
        w.close()
    _prestarted.clear()


@pytest.fixture(scope="session")
def worker(redis_url):
    """One real `celery -A config worker` (2 pool processes) on the fast clock, for the whole run."""
    w = _prestarted.pop(redis_url, None) or _new_worker(redis_url)
    problem = app_problem()
    if problem:
        w.stop(grace=0)
        w.close()
        fail(f"This test runs real Celery processes, which need a project that loads: {problem}.")
    with w:  # waits until it is ready (started again if the prestarted one went away)
        yield w
        w.stop(grace=0)  # the run is over: nothing left to finish, so no warm shutdown (~2 s) to wait for


class Runs:
    """What the worker did, read back from Redis (its memory is out of reach): `runs.of("cleanup_temp")`."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def clear(self) -> None:
        keys = self.client.keys("runs:*") + self.client.keys("once:*")
        if keys:
            self.client.delete(*keys)

    def of(self, job: str) -> list[float]:
        return [float(t) for t in self.client.lrange(f"runs:{job}", 0, -1)]

    def drain(self, worker: CeleryWorker, timeout: float = 5.0) -> None:
        """Until the worker has taken every message the beats sent (then a moment for the last to finish)."""
        deadline = time.monotonic() + timeout
        while self.client.llen("celery") and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)


@pytest.fixture
def runs(worker, redis_url) -> Runs:
    recorded = Runs(redis_url)
    recorded.clear()
    return recorded


class Beats:
    """Beats for one test, on the fast clock and the run's Redis; every one is stopped after the test."""

    def __init__(self, redis_url: str, state_dir: Path) -> None:
        self.env = {"REDIS_URL": redis_url, "BEAT_TEST_SECONDS": str(TICK), "BEAT_STATE_DIR": str(state_dir)}
        self.state_dir = state_dir
        # Beats start in a folder of their own: a relative state file lands there, not in your lesson folder.
        self.cwd = state_dir.parent / "beat-cwd"
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.started: list[CeleryBeat] = []

    def make(self, **options) -> CeleryBeat:
        options["env"] = {**self.env, **options.get("env", {})}
        options.setdefault("cwd", self.cwd)
        beat = CeleryBeat("config", **options)
        self.started.append(beat)
        return beat

    def start(self, count: int = 1, **options) -> list[CeleryBeat]:
        """`count` beats started together (their start-ups overlap), each waited for."""
        made = [self.make(**options) for _ in range(count)]
        for beat in made:
            beat.start()
        for beat in made:
            beat.wait_ready()
        return made

    def stop_all(self) -> None:
        for beat in self.started:
            beat.close()


@pytest.fixture
def beats(worker, redis_url, tmp_path):
    pool = Beats(redis_url, tmp_path / "beat-state")
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def tick() -> float:
    return TICK


def slot_of(timestamp: float) -> int:
    return int(timestamp // TICK)


@pytest.fixture
def slots():
    """The fast clock's slot of a recorded run: `slots(t)`."""
    return slot_of


