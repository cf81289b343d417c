"""The lesson run inside a test process: its spec, the files under test, and the report being written.

awaitlings.plugin creates it and calls `activate`; grading's guard (another pytest plugin in the same
process) reads it through `active()` and writes its findings with `emit`. Neither plugin imports the
other."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from . import protocol
from .course import CourseError
from .targets import target_root

EXERCISE_KEY = pytest.StashKey[str]()  # item -> its exercise id ("lesson" for tests of no exercise)

_active: LessonSession | None = None


def active() -> LessonSession | None:
    """The run of this process, for hooks that get no config (and for the guard)."""
    return _active


class LessonSession:
    def __init__(self, spec: protocol.RunSpec) -> None:
        self.spec = spec
        self.lesson = spec.lesson_object()
        self.target = spec.target
        self.root, self.is_overlay = target_root(self.lesson, spec.target)
        self.report = _open_report(spec)
        self._sign = _signer(spec)
        self._emit_lock = threading.Lock()
        self.results: dict[str, protocol.TestResult] = {}
        # Exercises a test of which timed out: their later tests are reported as not run, not waited out.
        self.hung: set[str] = set()
        self.stale_coroutines = False  # a failed test's traceback holds coroutines nobody awaited (plugin.py)
        self.scratch: Path | None = None
        self.own_scratch = False  # whether close() removes it (see activate)
        self.redis = None  # the run's private Redis, for lessons that need it throughout (see _provide_redis)
        self.celery_worker = None  # started early when a selected test needs it (testing.fixtures)

    def activate(self) -> None:
        global _active
        _active = self
        root = str(self.root)
        sys.path.insert(0, root)
        # For awaitlings.testing (target_root, lesson_root) in this process and in the processes it starts.
        os.environ["AWAITLINGS_TARGET_ROOT"] = root
        os.environ["AWAITLINGS_LESSON_ROOT"] = str(self.lesson.path)
        # Child processes (servers, spawn-started workers) import the same files under test.
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        # Debug mode makes asyncio report callbacks that block the loop (see diagnostics.py).
        os.environ["PYTHONASYNCIODEBUG"] = "1"
        if self.lesson.django_settings:
            os.environ["DJANGO_SETTINGS_MODULE"] = self.lesson.django_settings
        # A private folder for this run (test databases shared with worker processes, mail files): the
        # runner's, which it removes even when it had to kill this process; under plain pytest our own.
        self.own_scratch = not self.spec.scratch
        self.scratch = Path(self.spec.scratch or tempfile.mkdtemp(prefix="awaitlings-run-"))
        os.environ["AWAITLINGS_SCRATCH"] = str(self.scratch)
        if "redis" in self.lesson.needs:
            self._provide_redis()

    def _provide_redis(self) -> None:
        """Lessons that need Redis throughout (Celery's broker) read REDIS_URL in their settings, which
        Django imports before any fixture runs: so the private Redis starts here, before Django."""
        if os.environ.get("REDIS_URL"):
            return
        from .testing.redis_server import RedisServer, redis_binary

        if not redis_binary():
            return  # the redis_url fixture then skips (or fails under CI) with how to get it
        self.redis = RedisServer(workdir=self.scratch).start()
        os.environ["REDIS_URL"] = self.redis.url

    def exercise_files(self, ex_id: str) -> list[Path]:
        try:
            return [self.root / rel for rel in self.lesson.exercise(ex_id).files]
        except CourseError:
            return []

    def emit(self, event) -> None:
        if self.report:
            with self._emit_lock:
                line = protocol.encode(event)
                self.report.write((self._sign(line) if self._sign else line) + "\n")

    def drop_report(self) -> None:
        """In a forked copy of the test process: it must never write to (or sign for) the report."""
        report, self.report = self.report, None
        if report:
            try:
                os.close(report.fileno())
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        if self.report:
            self.report.close()
        if self.celery_worker is not None:
            self.celery_worker.stop(grace=0)
        if self.redis is not None:
            self.redis.stop()
        if self.scratch is not None and self.own_scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
        if self.is_overlay:
            shutil.rmtree(self.root, ignore_errors=True)


def _open_report(spec: protocol.RunSpec):
    """A pipe the grader passed as an inherited fd (its number is in no environment variable), else the
    report file."""
    if spec.report_fd is not None:
        os.set_inheritable(spec.report_fd, False)  # servers and workers the tests start don't get it
        return os.fdopen(spec.report_fd, "w", encoding="utf-8", buffering=1)
    return open(spec.report, "a", encoding="utf-8", buffering=1) if spec.report else None


def _signer(spec: protocol.RunSpec):
    """Grading passes a per-run secret through a pipe, read once and closed before any test runs."""
    if spec.key_fd is None:
        return None
    with os.fdopen(spec.key_fd, "rb") as pipe:
        key = pipe.read(64)
    return protocol.Signer(key)
