"""The awaitlings pytest plugin.

It reads the run's spec (protocol.RunSpec: from the runner, or built from its options under plain
pytest), points the lesson's tests at the files under test (session.py), maps tests to exercises,
enforces per-test time limits, turns failures into short teaching messages (with asyncio-aware
diagnostics), and reports one event per line (protocol.py). The fixtures every lesson gets (Redis,
a browser, the target folder) come from awaitlings.testing.fixtures, registered below.
It stays inert unless the run targets exactly one lesson."""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import pytest

from . import leanstack

leanstack.install()  # before diagnostics (or anything) imports asyncio: see leanstack.py

from . import diagnostics, protocol  # noqa: E402
from .i18n import N_, _  # noqa: E402
from .course import Course, CourseError, Lesson, lesson_of_path  # noqa: E402
from .session import EXERCISE_KEY, LessonSession, active  # noqa: E402
from .targets import LEARNER  # noqa: E402
from .testing.fixtures import prestart_celery_worker  # noqa: E402

pytest_plugins = ["awaitlings.testing.fixtures"]

SESSION_KEY = pytest.StashKey[LessonSession]()


class ExerciseTimeout(BaseException):
    """Raised from the alarm handler. A BaseException, so `except Exception` in learner code can't eat it."""


class NotRun(Exception):
    """A test skipped because an earlier test of its exercise hung: it fails at once instead of also
    waiting out its limit."""


def pytest_addoption(parser: pytest.Parser) -> None:
    # For plain `pytest lessons/NN_topic`; a run started by the runner gets all of this in its RunSpec.
    group = parser.getgroup("awaitlings")
    group.addoption(
        "--awaitlings-target",
        default=os.environ.get("AWAITLINGS_TARGET", LEARNER),
        help="whose files to grade: learner (default, in place), solutions, starter, or a submission folder",
    )
    group.addoption("--awaitlings-report", default=None, help="write one JSON line per test to this file")
    group.addoption("--awaitlings-exercise", action="append", default=[], help="only this exercise's tests")
    group.addoption("--awaitlings-no-timeout", action="store_true", help="disable per-test time limits")


def _lesson_from_args(args: list[str], course: Course) -> Lesson | None:
    slugs = set()
    for arg in args:
        if arg.startswith("-"):
            continue
        path = Path(arg.split("::")[0])
        try:
            exists = path.exists()
        except OSError:  # an option's value, e.g. a report path in a folder the sandbox can't read
            continue
        if exists:
            slug = lesson_of_path(course.root, path)
            if slug:
                slugs.add(slug)
    if len(slugs) > 1:
        raise pytest.UsageError(f"awaitlings: run one lesson per pytest invocation (got {', '.join(sorted(slugs))})")
    return course.lesson(slugs.pop()) if slugs else None


def _spec_from_options(early_config: pytest.Config, args: list[str]) -> protocol.RunSpec | None:
    """Plain pytest: the lesson from the paths given, the rest from the plugin's options."""
    try:
        course = Course()
    except CourseError:
        return None
    try:
        lesson = _lesson_from_args(args, course)
    except CourseError as error:
        raise pytest.UsageError(str(error)) from None
    if lesson is None:
        return None
    known = early_config.known_args_namespace
    return protocol.RunSpec.for_lesson(
        lesson, target=getattr(known, "awaitlings_target", None) or LEARNER,
        exercises=tuple(getattr(known, "awaitlings_exercise", None) or ()),
        report=getattr(known, "awaitlings_report", None) or "",
        timeouts=not getattr(known, "awaitlings_no_timeout", False))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    spec = protocol.RunSpec.take_from_env() or _spec_from_options(early_config, args)
    if spec is None:
        return
    try:
        session = LessonSession(spec)
    except CourseError as error:
        raise pytest.UsageError(f"awaitlings: {error}") from None
    session.activate()
    early_config.stash[SESSION_KEY] = session


def _session(config: pytest.Config) -> LessonSession | None:
    return config.stash.get(SESSION_KEY, None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(id): map a test to an exercise explicitly")
    config.addinivalue_line("markers", "hidden: graded, but its details never reach learners (awaitlings grade)")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = _session(config)
    if session:
        session.emit(protocol.Done())
        session.close()


def _exercise_of(item: pytest.Item, lesson: Lesson) -> str:
    marker = item.get_closest_marker("exercise")
    if marker and marker.args:
        return marker.args[0]
    try:
        rel = Path(item.path).resolve().relative_to(lesson.path).as_posix()
    except ValueError:
        return "lesson"
    exercise = lesson.exercise_for_test_file(rel)
    return exercise.id if exercise else "lesson"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    session = _session(config)
    if not session:
        return
    only, done = set(session.spec.exercises), set(session.spec.skip)
    kept, dropped = [], []
    for item in items:
        ex_id = _exercise_of(item, session.lesson)
        item.stash[EXERCISE_KEY] = ex_id
        wanted = (not only or ex_id in only) and item.nodeid not in done
        (kept if wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    session.emit(protocol.Collected(tests=[[i.nodeid, i.stash[EXERCISE_KEY]] for i in items]))
    prestart_celery_worker(session, items)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        session = active()
        if session:
            session.emit(protocol.CollectError(nodeid=report.nodeid,
                                               message=diagnostics.short_text(str(report.longrepr), 2000)))


def pytest_runtest_logstart(nodeid: str, location) -> None:
    session = active()
    if session:
        session.emit(protocol.Start(nodeid=nodeid, time=time.time()))


# --- time limits -------------------------------------------------------------------------------------


class _Alarm:
    """SIGALRM-based limit for one test phase. On expiry, snapshot where the code is stuck, then raise."""

    PHASES = {"setup": N_("while preparing the test"), "call": N_("running the test"),
              "teardown": N_("cleaning up after the test")}

    def __init__(self, session: LessonSession, item: pytest.Item, phase: str) -> None:
        self.session = session
        self.seconds = session.spec.alarm(item.stash.get(EXERCISE_KEY, "lesson"), phase)
        self.phase = self.PHASES[phase]
        self.usable = hasattr(signal, "setitimer") and session.spec.timeouts

    def _fire(self, signum, frame) -> None:
        where = diagnostics.stuck_report(self.session.root, frame)
        raise ExerciseTimeout(_("timed out after {seconds} s ({phase}).").format(
            seconds=f"{self.seconds:g}", phase=_(self.phase)) + where)

    def __enter__(self) -> _Alarm:
        if self.usable:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc) -> None:
        if self.usable:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    session = _session(item.config)
    if not session:
        return (yield)
    if item.stash.get(EXERCISE_KEY, "lesson") in session.hung:
        raise NotRun(item.nodeid)
    with _Alarm(session, item, "setup"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    session = _session(item.config)
    if not session:
        return (yield)
    session.emit(protocol.Call(nodeid=item.nodeid))
    if session.stale_coroutines:
        # An earlier failure's traceback (pytest keeps it in sys.last_*) holds coroutines nobody awaited:
        # collect them now, quietly, so their "never awaited" warnings are not blamed on this test.
        session.stale_coroutines = False
        for name in ("last_type", "last_value", "last_traceback", "last_exc"):
            if hasattr(sys, name):
                delattr(sys, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gc.collect()
    # Everything alive before the call (Django, Celery, the fixtures: tens of thousands of objects) leaves the
    # collector's sight, so the collection a failure costs (below) scans only what this test made: a pristine
    # starter fails most tests, and each full collection took ~0.3 s with Django loaded.
    gc.freeze()
    watcher = diagnostics.LoopWatcher()
    item.stash[WATCHER_KEY] = watcher
    with watcher, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            with _Alarm(session, item, "call"):
                return (yield)
        except BaseException:
            # A never-awaited coroutine caught in a reference cycle warns only when collected; the
            # warning only matters to explain a failure, so passing tests don't pay for a collection.
            gc.collect()
            raise
        finally:
            watcher.warnings = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem):
    session = _session(item.config)
    if not session:
        return (yield)
    with _Alarm(session, item, "teardown"):
        if nextitem is None:
            _settle(session, item)
        return (yield)


def _settle(session: LessonSession, item: pytest.Item) -> None:
    """The last test: tear down its own fixtures first, then report its result as final (`Settled`), so
    a learner's check can answer while module and session fixtures (servers, workers, Redis, the test
    database) are still being stopped. A failure in the test's own teardown is reported as usual."""
    item.session._setupstate.teardown_exact(item.parent)  # only the test's own stack entries
    state = session.results.get(item.nodeid)
    if state is not None:
        session.emit(state)
    session.emit(protocol.Settled())


WATCHER_KEY = pytest.StashKey[diagnostics.LoopWatcher]()


# --- results -----------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    session = _session(item.config)
    if not session:
        return report
    state = session.results.get(item.nodeid)
    if state is None:
        state = session.results[item.nodeid] = protocol.TestResult(
            nodeid=item.nodeid, name=item.name, exercise=item.stash.get(EXERCISE_KEY, "lesson"), outcome="passed")
    state.duration += call.duration
    if report.skipped and state.outcome == "passed":
        state.outcome = "skipped"
        longrepr = report.longrepr
        state.message = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    elif report.failed and state.outcome != "failed":
        state.outcome = "failed"
        if call.excinfo is not None and diagnostics.unawaited_coroutines(call.excinfo.tb, session.root):
            session.stale_coroutines = True
        if call.excinfo is not None and call.excinfo.errisinstance(ExerciseTimeout) and state.exercise != "lesson":
            session.hung.add(state.exercise)
        watcher = item.stash.get(WATCHER_KEY, None)
        state.message = diagnostics.explain(call.excinfo, session.root, watcher, call.when,
                                            session.exercise_files(state.exercise))
        state.details = diagnostics.short_text(str(report.longrepr), 20_000)
        if report.capstdout or report.capstderr:
            state.output = diagnostics.short_text(report.capstdout + report.capstderr, 4_000)
    return report


def pytest_runtest_logfinish(nodeid: str, location) -> None:
    session = active()
    if session and nodeid in session.results:
        session.emit(session.results[nodeid])


logging.getLogger("asyncio").setLevel(logging.WARNING)
