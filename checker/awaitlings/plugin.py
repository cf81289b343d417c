"""The awaitlings pytest plugin.

It points a lesson's tests at the files under test (the learner's folder, the solutions, the starters
or a submission), maps tests to exercises, enforces per-test time limits, turns failures into short
teaching messages (with asyncio-aware diagnostics), and writes one JSON line per test for the CLI.
It stays inert unless the run targets exactly one lesson."""

from __future__ import annotations

import gc
import hashlib
import hmac
import itertools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest

from . import leanstack

leanstack.install()  # before diagnostics (or anything) imports asyncio: see leanstack.py

from . import diagnostics  # noqa: E402
from .i18n import N_, _  # noqa: E402
from .course import Course, CourseError, Lesson, lesson_of_path
from .targets import LEARNER, target_root

EXERCISE_KEY = pytest.StashKey[str]()
LIMIT_KEY = pytest.StashKey[float]()
SETUP_GRACE = 30.0  # session fixtures (servers, Redis) may start during a test's setup


class ExerciseTimeout(BaseException):
    """Raised from the alarm handler. A BaseException, so `except Exception` in learner code can't eat it."""


def pytest_addoption(parser: pytest.Parser) -> None:
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


class LessonSession:
    """State of one lesson run: where the files under test are, and the report being written."""

    def __init__(self, config: pytest.Config, lesson: Lesson, target: str) -> None:
        self.config = config
        self.lesson = lesson
        self.target = target
        self.root, self.is_overlay = target_root(lesson, target)
        self.report = _open_report(getattr(config.known_args_namespace, "awaitlings_report", None))
        self._sign = _report_signer()
        self._emit_lock = threading.Lock()
        self.results: dict[str, dict] = {}
        self.scratch: Path | None = None
        self.redis = None
        self.celery_worker = None  # started early when a selected test needs it (see _prestart_celery_worker)

    def activate(self) -> None:
        root = str(self.root)
        sys.path.insert(0, root)
        os.environ["AWAITLINGS_TARGET_ROOT"] = root
        os.environ["AWAITLINGS_LESSON_ROOT"] = str(self.lesson.path)
        # Child processes (servers, spawn-started workers) import the same files under test.
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        # Debug mode makes asyncio report callbacks that block the loop (see diagnostics.py).
        os.environ["PYTHONASYNCIODEBUG"] = "1"
        if self.lesson.django_settings:
            os.environ["DJANGO_SETTINGS_MODULE"] = self.lesson.django_settings
        # A private folder for this run (test databases shared with worker processes, mail files).
        self.scratch = Path(tempfile.mkdtemp(prefix="awaitlings-run-"))
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

    def emit(self, record: dict) -> None:
        if self.report:
            with self._emit_lock:
                line = json.dumps(record)
                self.report.write((self._sign(line) if self._sign else line) + "\n")

    def close(self) -> None:
        if self.report:
            self.report.close()
        if self.celery_worker is not None:
            self.celery_worker.stop(grace=0)
        if self.redis is not None:
            self.redis.stop()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        if self.is_overlay:
            shutil.rmtree(self.root, ignore_errors=True)


def _open_report(path: str | None):
    """The report stream: a pipe a grader passes as an inherited fd (AWAITLINGS_REPORT_FD, so the code
    under test has no path to it), else the --awaitlings-report file."""
    fd = os.environ.pop("AWAITLINGS_REPORT_FD", None)
    if fd:
        os.set_inheritable(int(fd), False)  # servers and workers the tests start don't get it
        return os.fdopen(int(fd), "w", encoding="utf-8", buffering=1)
    return open(path, "a", encoding="utf-8", buffering=1) if path else None


def _report_signer():
    """Batch grading (awaitlings.grading) passes a per-run secret through a pipe (AWAITLINGS_REPORT_KEY_FD,
    read once and closed before any test runs). Each report line then reads `<hmac> <seq> <json>`, so lines
    the code under test forges, replays or garbles are rejected by the grader."""
    fd = os.environ.pop("AWAITLINGS_REPORT_KEY_FD", None)
    if not fd:
        return None
    with os.fdopen(int(fd), "rb") as pipe:
        key = pipe.read(64)
    counter = itertools.count()

    def sign(line: str) -> str:
        body = f"{next(counter)} {line}"
        return hmac.new(key, body.encode(), hashlib.sha256).hexdigest() + " " + body

    return sign


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    try:
        course = Course()
    except CourseError:
        return
    try:
        lesson = _lesson_from_args(args, course)
    except CourseError as error:
        raise pytest.UsageError(str(error)) from None
    if lesson is None:
        return
    known = early_config.known_args_namespace
    target = getattr(known, "awaitlings_target", None) or LEARNER
    try:
        session = LessonSession(early_config, lesson, target)
    except CourseError as error:
        raise pytest.UsageError(f"awaitlings: {error}") from None
    session.activate()
    early_config.stash[SESSION_KEY] = session


SESSION_KEY = pytest.StashKey[LessonSession]()


def _session(config: pytest.Config) -> LessonSession | None:
    return config.stash.get(SESSION_KEY, None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(id): map a test to an exercise explicitly")
    config.addinivalue_line("markers", "hidden: graded, but its details never reach learners (awaitlings grade)")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = _session(config)
    if session:
        session.emit({"event": "done"})
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
    only = set(config.getoption("--awaitlings-exercise"))
    kept, dropped = [], []
    limits = {ex.id: ex.time_limit for ex in session.lesson.exercises}
    for item in items:
        ex_id = _exercise_of(item, session.lesson)
        item.stash[EXERCISE_KEY] = ex_id
        item.stash[LIMIT_KEY] = limits.get(ex_id, session.lesson.example_time_limit)
        (kept if not only or ex_id in only else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    session.emit({"event": "collected", "tests": [[i.nodeid, i.stash[EXERCISE_KEY]] for i in items]})
    _prestart_celery_worker(session, items)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        session = _active_session()
        if session:
            session.emit(
                {
                    "event": "collect_error",
                    "nodeid": report.nodeid,
                    "message": diagnostics.short_text(str(report.longrepr), 2000),
                }
            )


_current_config: pytest.Config | None = None


def _active_session() -> LessonSession | None:
    """The lesson session, for hooks that get no config (log start/finish, collection reports)."""
    return _session(_current_config) if _current_config else None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    global _current_config
    _current_config = session.config


def pytest_runtest_logstart(nodeid: str, location) -> None:
    session = _active_session()
    if session:
        session.emit({"event": "start", "nodeid": nodeid, "time": time.time()})


# --- time limits -------------------------------------------------------------------------------------


class _Alarm:
    """SIGALRM-based limit for one test phase. On expiry, snapshot where the code is stuck, then raise."""

    def __init__(self, item: pytest.Item, seconds: float, phase: str) -> None:
        self.item = item
        self.seconds = seconds
        self.phase = phase
        self.usable = hasattr(signal, "setitimer") and not item.config.getoption("--awaitlings-no-timeout")

    def _fire(self, signum, frame) -> None:
        session = _session(self.item.config)
        root = session.root if session else Path.cwd()
        where = diagnostics.stuck_report(root, frame)
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


def _limit(item: pytest.Item) -> float:
    return item.stash.get(LIMIT_KEY, 10.0)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    if not _session(item.config):
        return (yield)
    with _Alarm(item, _limit(item) + SETUP_GRACE, N_("while preparing the test")):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    if not _session(item.config):
        return (yield)
    session = _session(item.config)
    session.emit({"event": "call", "nodeid": item.nodeid})
    watcher = diagnostics.LoopWatcher()
    item.stash[WATCHER_KEY] = watcher
    with watcher, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            with _Alarm(item, _limit(item), N_("running the test")):
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
    if not _session(item.config):
        return (yield)
    with _Alarm(item, _limit(item) + 5, N_("cleaning up after the test")):
        return (yield)


WATCHER_KEY = pytest.StashKey[diagnostics.LoopWatcher]()


# --- results -----------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    session = _session(item.config)
    if not session:
        return report
    state = session.results.setdefault(
        item.nodeid,
        {
            "event": "result",
            "nodeid": item.nodeid,
            "exercise": item.stash.get(EXERCISE_KEY, "lesson"),
            "name": item.name,
            "outcome": "passed",
            "message": "",
            "details": "",
            "duration": 0.0,
        },
    )
    state["duration"] += call.duration
    if report.skipped and state["outcome"] == "passed":
        state["outcome"] = "skipped"
        longrepr = report.longrepr
        state["message"] = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    elif report.failed and state["outcome"] != "failed":
        state["outcome"] = "failed"
        watcher = item.stash.get(WATCHER_KEY, None)
        state["message"] = diagnostics.explain(
            call.excinfo, session.root, watcher, call.when, session.exercise_files(state["exercise"])
        )
        state["details"] = diagnostics.short_text(str(report.longrepr), 20_000)
        if report.capstdout or report.capstderr:
            state["output"] = diagnostics.short_text(report.capstdout + report.capstderr, 4_000)
    return report


def pytest_runtest_logfinish(nodeid: str, location) -> None:
    session = _active_session()
    if session and nodeid in session.results:
        session.emit(session.results[nodeid])


# --- services ----------------------------------------------------------------------------------------


def _unavailable(what: str, how: str) -> None:
    message = _("needs {what}: {how}").format(what=_(what), how=_(how))
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " " + _("(CI must provide every service; a skip here would hide a failure)"), pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url():
    """$REDIS_URL, or a private redis-server on a free port for this session (never the learner's data)."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if not binary:
        _unavailable(
            "Redis",
            N_("install it (`sudo apt-get install redis-server`, `brew install redis`) or run "
               "`docker compose -f docker/compose.yml up -d redis` and set REDIS_URL=redis://127.0.0.1:6379/0"),
        )
    from .testing import free_port, wait_for_port

    port = free_port()
    workdir = Path(os.environ.get("TMPDIR", "/tmp"))
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, 10, process=process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's chromium for Playwright (never a browser downloaded by a tool)."""
    path = os.environ.get("AWAITLINGS_CHROMIUM") or next(
        (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)),
        shutil.which("chromium") or shutil.which("chromium-browser"),
    )
    if not path:
        _unavailable(N_("a Chromium browser"), N_("`sudo apt-get install chromium` (or set AWAITLINGS_CHROMIUM)"))
    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable("Playwright for Python", N_("`pip install playwright` (no `playwright install` needed)"))
    return path


def _celery_app(request) -> str:
    session = _session(request.config)
    return (session.lesson.celery_app if session else None) or "config"


def _prestart_celery_worker(session: LessonSession, items: list[pytest.Item]) -> None:
    """Start the session's worker while pytest still sets up (about 0.3 s of boot overlapped), when a
    selected test will ask for it. Safe before any check of the learner's app: see worker_env."""
    if not session.lesson.celery_app or not any("celery_worker" in item.fixturenames for item in items):
        return
    redis = os.environ.get("REDIS_URL")
    if not redis:
        return
    from .testing.celery import CeleryWorker, worker_env

    django_db = bool(session.lesson.django_settings) and "django" in session.lesson.pytest_plugins
    try:
        session.celery_worker = CeleryWorker(session.lesson.celery_app, concurrency=2,
                                             env=worker_env(redis, django_db)).start()
    except Exception:  # noqa: BLE001 - the fixture starts it again and explains
        session.celery_worker = None


@pytest.fixture(scope="session")
def celery_worker(request, redis_url):
    """One real `celery -A <celery_app> worker` process (2 prefork pool processes) for the whole run,
    on the run's Redis and test database. Waited for until ready; stopped with SIGTERM, then SIGKILL."""
    from .testing.celery import CeleryWorker, django_db_active, worker_env

    session = _session(request.config)
    worker = getattr(session, "celery_worker", None)
    if worker is None:
        worker = CeleryWorker(_celery_app(request), concurrency=2,
                              env=worker_env(redis_url, django_db_active(request))).start()
    if django_db_active(request):
        request.getfixturevalue("django_db_setup")  # created and migrated before a task can open it
    try:
        worker.wait_ready()
        yield worker
    finally:
        # Every test has awaited its results by now: the warm shutdown's slow part (about 1.5 s joining the
        # pool's threads) protects nothing here, so SIGKILL follows SIGTERM after a short grace.
        worker.stop(grace=0.1)
        worker.close()


@pytest.fixture
def celery_workers(request, redis_url):
    """Workers for one test, each configured its own way: `celery_workers.start(queues=["reports"])`.
    Every one is stopped when the test ends."""
    from .testing.celery import WorkerPool, django_db_active, worker_env

    django_db = django_db_active(request)
    if django_db:
        request.getfixturevalue("django_db_setup")
    pool = WorkerPool(_celery_app(request), worker_env(redis_url, django_db))
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def sent_mail(settings):
    """The mail any process of the run sent through Django's file backend (EMAIL_FILE_PATH), emptied
    before the test: `sent_mail.wait_for("ada@example.com")`."""
    from .testing.mail import MailFolder

    folder = MailFolder(settings.EMAIL_FILE_PATH)
    folder.clear()
    return folder


@pytest.fixture
def published_tasks():
    """Every Celery task message the test process sends during the test (`.names`, `.of(task)`, and per
    message its id and whether a transaction was open)."""
    from celery.signals import after_task_publish

    from .testing.celery import TaskPublishes

    recorder = TaskPublishes()
    after_task_publish.connect(recorder, weak=False)
    try:
        yield recorder
    finally:
        after_task_publish.disconnect(recorder)


@pytest.fixture
def target_folder() -> Path:
    """The folder holding the files under test."""
    return Path(os.environ["AWAITLINGS_TARGET_ROOT"])


logging.getLogger("asyncio").setLevel(logging.WARNING)
