"""pytest plugin loaded only by batch grading (`-p awaitlings.grading.guard`), next to awaitlings.plugin.

It runs in the same process as the learner's code, so it can only raise the bar and leave evidence;
the sandbox and the grader outside decide. Every finding goes out as a signed `guard` report line.

- manifest: after collection (before any learner code runs) it reports each test's exercise and
  whether it is hidden (`@pytest.mark.hidden`, or `hidden = true` on the exercise in lesson.toml);
- canary: it appends one always-failing test with a random name. If that test comes back passed or
  skipped, something rewrote pytest's verdicts: the grader zeroes the lesson and flags it;
- patches: it snapshots the functions of pytest, pluggy, the checker, the test modules and a few
  stdlib modules the tests rely on (builtins, asyncio, time, random), and compares after every test;
  a function swapped and not restored is reported;
- skips: a test that skips *while running* (the learner's code raised pytest's Skipped) is reported,
  because a skipped test would otherwise leave the score's denominator;
- an audit hook (it can't be removed) blocks and reports writes to the course and the checker, and
  reports kills aimed at the test process, its group or everything (`kill(-1)`, blocked when there is
  no pid namespace), and fork storms.

Set by the sandbox in the run spec (protocol.RunSpec.guard): "grade" | "manifest" (collection only), plus
",block-kill" or ",namespaced". It finds the run through awaitlings.session, never by importing the
awaitlings plugin."""

from __future__ import annotations

import builtins
import errno
import os
import secrets
import sys
import threading
from pathlib import Path

import pytest

from .. import session as lesson_run
from ..protocol import GuardFinding, Manifest

MODE = ""  # read from the run spec at configure time (a zygote imports this module long before)
CANARY_EXERCISE = "__canary__"
WATCHED_MODULE_PREFIXES = ("_pytest.", "pluggy.", "awaitlings.", "pytest_asyncio.", "pytest_django.")
WATCHED_MODULES = ("pytest", "pluggy", "builtins", "asyncio", "time", "random", "json", "hmac")
VOLATILE = {"_pytest.assertion.util"}  # pytest swaps these module globals per test itself

_state = threading.local()
_findings: list[dict] = []
_reported: set[tuple] = set()
_forks = 0


def _emit(event) -> None:
    session = lesson_run.active()
    if session:
        session.emit(event)


def _finding(kind: str, detail: str, now: bool = False) -> None:
    key = (kind, detail)
    if key in _reported:
        return
    _reported.add(key)
    record = GuardFinding(kind=kind, detail=detail[:500])
    if now:
        _emit(record)
    else:
        _findings.append(record)


def _flush() -> None:
    while _findings:
        _emit(_findings.pop(0))


# --- audit hook ------------------------------------------------------------------------------------------

_protected: tuple[str, ...] = ()
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
PATH_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.chmod", "os.chown", "os.truncate", "shutil.rmtree",
               "os.link", "os.symlink", "os.utime", "os.mkdir", "shutil.move", "shutil.copyfile"}


def _is_protected(path) -> bool:
    if isinstance(path, int) or path is None:
        return False
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    return any(real == root or real.startswith(root + os.sep) for root in _protected)


def _audit(event: str, args: tuple) -> None:
    if getattr(_state, "busy", False):
        return
    _state.busy = True
    try:
        _inspect(event, args)
    finally:
        _state.busy = False


def _inspect(event: str, args: tuple) -> None:
    global _forks
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS)
        if writing and _is_protected(path):
            _finding("write-denied", f"tried to write {os.fsdecode(path)}", now=True)
            raise PermissionError(13, "awaitlings: the course's files are read-only while grading", path)
    elif event in PATH_EVENTS:
        paths = [a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
        if any(_is_protected(p) for p in paths):
            _finding("write-denied", f"{event} on {os.fsdecode(paths[0])}", now=True)
            raise PermissionError(13, "awaitlings: the course's files are read-only while grading", paths[0])
    elif event in ("os.kill", "os.killpg"):
        target, sig = args[0], args[1]
        me, group = os.getpid(), os.getpgrp()
        if event == "os.killpg":
            hits = target in (0, group)
        else:
            hits = target in (0, -1, me, -group, 1) or target == os.getppid()
        if hits and sig != 0:
            what = "every process it may signal" if target == -1 and event == "os.kill" else "the test process or its group"
            _finding("kill", f"{event}({target}, {sig}) aimed at {what}", now=True)
            if target == -1 and "block-kill" in MODE:
                raise PermissionError(1, "awaitlings: kill(-1) is not allowed while grading")
    elif event in ("os.fork", "os.forkpty"):
        if _in_child:
            os._exit(70)  # a forked copy of the test process forking again: a fork bomb's second generation
        _forks += 1
        if _forks > STORM_FORKS:
            raise BlockingIOError(errno.EAGAIN, f"awaitlings: more than {STORM_FORKS} forks in one test")


def _install_audit_hook(config: pytest.Config) -> None:
    """Protected: the staged course, the checker's own checkout and the Python environment."""
    global _protected
    session = lesson_run.active()
    roots = [Path(lesson_run.__file__).resolve().parents[2], Path(sys.prefix).resolve(),
             Path(sys.base_prefix).resolve()]
    if session:
        roots.append(session.lesson.root.resolve())
    _protected = tuple(sorted({str(r) for r in roots}))
    sys.addaudithook(_audit)


# --- patch detection -------------------------------------------------------------------------------------


def _functions_of(namespace: dict) -> dict[str, int]:
    return {name: id(value) for name, value in list(namespace.items())
            if callable(value) or isinstance(value, (staticmethod, classmethod, property))}


def _snapshot(extra_modules: list) -> dict[str, dict[str, int]]:
    """{"module": {name: id}, "module::Class": {name: id}} for the functions worth forging."""
    snap = {}
    for name, module in list(sys.modules.items()):
        if module is None or name in VOLATILE:
            continue
        if name in WATCHED_MODULES or name.startswith(WATCHED_MODULE_PREFIXES) or module in extra_modules:
            namespace = getattr(module, "__dict__", {})
            snap[name] = _functions_of(namespace)
            for attr, value in list(namespace.items()):
                if isinstance(value, type) and getattr(value, "__module__", None) == name:
                    snap[f"{name}::{attr}"] = _functions_of(dict(vars(value)))
    return snap


def _changes(before: dict[str, dict[str, int]]) -> list[str]:
    changed = []
    for owner, functions in before.items():
        module_name, _, class_name = owner.partition("::")
        holder = sys.modules.get(module_name)
        if holder is None:
            continue
        namespace = holder.__dict__
        if class_name:
            cls = namespace.get(class_name)
            if not isinstance(cls, type):
                changed.append(owner)
                continue
            namespace = vars(cls)
        for name, ident in functions.items():
            now = namespace.get(name)
            if now is None or id(now) != ident:
                changed.append(f"{owner.replace('::', '.')}.{name}")
    return changed


_baseline: dict[str, dict[str, int]] = {}


def _check_patches() -> None:
    if not _baseline:
        return
    changed = _changes(_baseline)
    if changed:
        _finding("patched", "replaced while the tests ran: " + ", ".join(sorted(changed)[:12]), now=True)


# --- forks -----------------------------------------------------------------------------------------------


_in_child = False
_main_pid = 0


def _after_fork_in_child() -> None:
    """A forked copy of the test process holds the report pipe and the signing key: it must not report.
    (multiprocessing workers of a lesson are forked copies too; only the main process reports.) It may
    not fork again, and if it returns into pytest it ends there (see _leave_if_forked)."""
    global _in_child, _forks
    _in_child, _forks = True, 0
    session = lesson_run.active()
    if session:
        session.drop_report()


def _process_count() -> int:
    """Processes in this sandbox's pid namespace (namespaced modes mount their own /proc)."""
    try:
        return sum(1 for name in os.listdir("/proc") if name.isdigit())
    except OSError:
        return 0


def _storm_over() -> None:
    """After a test that left a swarm of processes behind: report it, then end this process (and, with
    a pid namespace, every process in it). The runner starts a fresh one for the remaining tests, so a
    fork bomb costs its own test only."""
    _flush()
    if "namespaced" in MODE:
        os._exit(75)
    try:
        os.killpg(os.getpgrp(), 9)
    finally:
        os._exit(75)


# --- hooks -----------------------------------------------------------------------------------------------


def _hidden_exercises(lesson) -> set[str]:
    return {ex.id for ex in lesson.exercises if ex.hidden}


def _canary() -> None:
    _check_patches()
    raise AssertionError("canary: this test always fails; if it is reported passed, the run was tampered with")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    lesson_session = lesson_run.active()
    if not lesson_session:
        return
    hidden_exercises = _hidden_exercises(lesson_session.lesson)
    tests = []
    for item in items:
        exercise = item.stash.get(lesson_run.EXERCISE_KEY, "lesson")
        hidden = item.get_closest_marker("hidden") is not None or exercise in hidden_exercises
        tests.append({"nodeid": item.nodeid, "exercise": exercise, "hidden": hidden})
    canary = None
    if MODE.startswith("grade") and items:
        canary = pytest.Function.from_parent(items[-1].parent, name=f"test_{secrets.token_hex(8)}", callobj=_canary)
        canary.stash[lesson_run.EXERCISE_KEY] = CANARY_EXERCISE
        items.append(canary)
    _emit(Manifest(tests=tests, canary=canary.nodeid if canary else None))
    if MODE.startswith("grade"):
        # Learner code has not run yet (tests import it inside test functions): take the baselines now.
        test_modules = list({getattr(item, "module", None) for item in items} - {None})
        conftests = [m for n, m in sys.modules.items() if n.endswith("conftest") and m is not None]
        _baseline.update(_snapshot(test_modules + conftests))
        _baseline["builtins"] = _functions_of(vars(builtins))
        global _processes_before, _main_pid
        _processes_before = _process_count()
        _main_pid = os.getpid()
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _install_audit_hook(config)


_processes_before = 0
STORM_FORKS = 32
STORM_PROCESSES = 48


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    _leave_if_forked()
    if MODE.startswith("grade") and call.when == "call" and report.skipped:
        _finding("skip-in-test", item.nodeid)
    return report


def _leave_if_forked() -> None:
    if _main_pid and os.getpid() != _main_pid:
        os._exit(0)  # a forked copy came back from the learner's code into pytest: it has nothing to do here


def pytest_runtest_logstart(nodeid: str, location) -> None:
    global _forks
    _leave_if_forked()
    _forks = 0


def pytest_runtest_logfinish(nodeid: str, location) -> None:
    """Runs after awaitlings.plugin's own logfinish (registered earlier, called later): the test's
    result is already reported."""
    if not MODE.startswith("grade"):
        return
    _leave_if_forked()
    _check_patches()
    extra = _process_count() - _processes_before if "namespaced" in MODE else 0
    if _forks > STORM_FORKS or extra >= STORM_PROCESSES:
        _finding("fork-storm", f"{nodeid.split('::')[-1]} forked {_forks} times and left {max(extra, 0)} "
                               "processes running", now=True)
        _storm_over()
    _flush()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    global MODE
    session = lesson_run.active()
    MODE = session.spec.guard if session else ""


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    _flush()  # before awaitlings.plugin closes the report
