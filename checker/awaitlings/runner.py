"""Run one lesson's tests in a child pytest process and collect per-exercise results.

The child gets a RunSpec and writes one event per line (protocol.py). We watch that stream: a test that outlives
its limit even after the plugin's own alarm (C code, a swallowed interrupt, os._exit, a killed
process) gets its process group killed, is marked as timed out or crashed, and the remaining tests
run again in a fresh process, so one bad exercise never costs the others their grade."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import protocol
from .course import Exercise, Lesson
from .i18n import _
from .protocol import COLLECT_LIMIT, EXIT_GRACE, RunSpec, TestResult

__all__ = ["TestResult", "ExerciseResult", "LessonResult", "run_lesson", "check_lesson", "pytest_command"]


@dataclass
class ExerciseResult:
    exercise: Exercise
    tests: list[TestResult] = field(default_factory=list)
    problem: str = ""  # a problem not tied to one test (collection error, nothing collected)
    measurements: list[protocol.Measurement] = field(default_factory=list)  # numbers its tests measured (TIL)

    @property
    def max_score(self) -> float:
        return self.exercise.points

    @property
    def counted(self) -> list[TestResult]:
        return [t for t in self.tests if t.outcome != "skipped"]

    @property
    def skipped(self) -> bool:
        return bool(self.tests) and not self.counted and not self.problem

    @property
    def score(self) -> float:
        if self.problem or not self.counted:
            return 0.0
        passed = sum(t.outcome == "passed" for t in self.counted)
        return round(self.exercise.points * passed / len(self.counted), 2)

    @property
    def passed(self) -> bool:
        return not self.problem and bool(self.counted) and all(t.outcome == "passed" for t in self.counted)

    @property
    def seconds(self) -> float:
        return round(sum(t.duration for t in self.tests), 3)

    @property
    def first_failure(self) -> TestResult | None:
        return next((t for t in self.tests if t.outcome == "failed"), None)


@dataclass
class LessonResult:
    lesson: Lesson
    target: str
    exercises: list[ExerciseResult]
    elapsed: float
    problem: str = ""  # the run itself failed (course error): shown instead of exercise feedback
    course_tests: list[TestResult] = field(default_factory=list)  # tests of the lesson's own examples

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 2)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    @property
    def passed(self) -> bool:
        return not self.problem and all(e.passed for e in self.exercises)


def pytest_command(spec: RunSpec, verbose: bool = False) -> list[str]:
    """`python -m pytest` for `spec`: only the selected exercises' test modules, the lesson's plugins.
    Everything else the plugin needs travels in the spec (`environment`)."""
    root = Path(spec.root)
    cmd = [sys.executable, "-m", "pytest", *spec.test_paths(), "--rootdir", str(root),
           "-c", str(root / "pyproject.toml"), "-q", "--no-header", "-p", "no:cacheprovider",
           "-p", "awaitlings.plugin", "-o", "console_output_style=classic", "--tb=short" if verbose else "--tb=no",
           "-rN"]
    plugins = spec.meta["pytest_plugins"]
    for name in plugins:
        cmd += ["-p", protocol.PYTEST_PLUGINS.get(name, name)]
    if "django" in plugins:
        cmd += ["-o", "django_find_project=false"]  # a manage.py must not put the starters first on sys.path
    if "asyncio" in plugins:
        cmd += ["-o", "asyncio_debug=true"]  # slow-callback reports name blocking coroutines
    return cmd


def environment(spec: RunSpec, base: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: `base` (default: ours), the spec, and no pytest settings of the user's."""
    env = {**(os.environ if base is None else base), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PYTHONUNBUFFERED": "1", "AWAITLINGS_ROOT": spec.root, protocol.ENV: spec.to_json()}
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _read_events(path: Path, offset: int) -> tuple[list, int]:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return [], offset
    events, consumed = [], 0
    for raw in data.splitlines(keepends=True):
        if not raw.endswith(b"\n"):
            break  # a line still being written
        consumed += len(raw)
        try:
            event = protocol.decode(json.loads(raw))
        except ValueError:
            continue
        if event is not None:
            events.append(event)
    return events, offset + consumed


def run_lesson(lesson: Lesson, target: str = "learner", exercises: list[str] | None = None,
               verbose: bool = False, env: dict[str, str] | None = None,
               on_event=None, course_tests: bool = False, launch=None, cancel=None,
               on_status=None, background_cleanup: bool = False) -> LessonResult:
    """Grade `lesson` for `target`, restarting past any test that kills or hangs its process.

    Tests that belong to no exercise (they check the lesson's own example files) run only with
    `course_tests=True`, as `verify` does: a learner's check never waits for them.
    `launch` starts each pytest process (Popen's signature and result): a learner's check passes the warm
    server's (awaitlings.warm), batch grading a sandbox. Setting the `cancel` event (a threading.Event)
    stops the run: its pytest process is killed and KeyboardInterrupt raised.
    With `background_cleanup` (a learner's check), the answer comes as soon as every result is final
    (`Settled`): a process that can be detached (the warm server's) stops its servers and workers in the
    background, within a time limit, and the warm server removes the run's folder after it."""
    started = time.perf_counter()
    launch = launch or subprocess.Popen
    selected = [ex for ex in lesson.exercises if not exercises or ex.id in exercises]
    results: dict[str, TestResult] = {}
    measured: list[protocol.Measurement] = []
    test_exercise: dict[str, str] = {}
    order: list[str] = []
    collect_errors: list[str] = []
    tails: list[str] = []
    base_env = {**os.environ, **(env or {})}
    only = () if course_tests and not exercises else tuple(ex.id for ex in selected)
    spec = RunSpec.for_lesson(lesson, target=target, exercises=only)
    problem = ""

    tmp = tempfile.mkdtemp(prefix="awaitlings-run-")
    detached = False
    try:
        for attempt in range(1, 2 + len(selected) * 4):
            report = Path(tmp) / f"report-{attempt}.jsonl"
            log = Path(tmp) / f"output-{attempt}.txt"
            # Tests an earlier attempt already reported are not run again.
            # The run's scratch folder lives in ours: a process killed at a time limit (or by Ctrl-C) can't
            # leave it behind.
            scratch = Path(tmp) / f"scratch-{attempt}"
            scratch.mkdir()
            attempt_spec = spec.replace(skip=tuple(results), report=str(report), scratch=str(scratch))
            known_before = len(results)
            with open(log, "wb") as out:
                process = launch(pytest_command(attempt_spec, verbose), cwd=lesson.root,
                                 env=environment(attempt_spec, base_env), stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
                offset, running, since, finished, in_call = 0, None, time.monotonic(), False, False
                done_at, settled = None, False
                try:
                    while True:
                        if cancel is not None and cancel.is_set():
                            raise KeyboardInterrupt
                        events, offset = _read_events(report, offset)
                        for event in events:
                            if isinstance(event, protocol.Start):
                                running, since, in_call = event.nodeid, time.monotonic(), False
                            elif isinstance(event, protocol.Call):
                                in_call, since = True, time.monotonic()
                            elif isinstance(event, TestResult):
                                if event.nodeid not in order:
                                    order.append(event.nodeid)
                                results[event.nodeid] = event
                                running = None
                                if on_event:
                                    on_event(event)
                            elif isinstance(event, protocol.CollectError):
                                collect_errors.append(event.message)
                            elif isinstance(event, protocol.Collected):
                                for nodeid, ex_id in event.tests:
                                    test_exercise[nodeid] = ex_id
                                    if nodeid not in order:
                                        order.append(nodeid)
                            elif isinstance(event, protocol.Done):
                                finished, done_at = True, time.monotonic()
                            elif isinstance(event, protocol.Settled):
                                settled = True  # (not `finished`: without a detach, Done and its limits still apply)
                            elif isinstance(event, protocol.Measurement):
                                measured.append(event)
                            elif isinstance(event, protocol.Status) and on_status:
                                on_status(event.what)
                        if settled and background_cleanup and hasattr(process, "detach") and \
                                process.detach(spec.cleanup_limit(), tmp):
                            detached = True
                            break
                        if process.poll() is not None:
                            events, offset = _read_events(report, offset)
                            if events:
                                continue  # drain the last lines before deciding
                            break
                        now = time.monotonic()
                        if running:
                            # Setup may legitimately start session services; the plugin's alarms catch real hangs.
                            if now - since > spec.kill_after(test_exercise.get(running, "lesson"), in_call):
                                _kill_group(process)
                                break
                        elif not finished and now - since > COLLECT_LIMIT:
                            _kill_group(process)
                            break
                        elif done_at is not None and now - done_at > EXIT_GRACE:
                            break  # every result is in; a thread the code left running keeps it alive: killed below
                        try:
                            process.wait(timeout=0.02)  # (not a sleep: an exit is seen the moment it happens)
                        except subprocess.TimeoutExpired:
                            pass
                except BaseException:  # Ctrl-C: tests nobody waits for must not run on
                    _kill_group(process)
                    raise
            if detached:
                break
            _kill_group(process)  # also reaps servers a test left behind in the group
            output = log.read_text(errors="replace")
            tails.append(output[-4000:])
            if running and running not in results:
                ex_id = test_exercise.get(running, "lesson")
                crashed = process.returncode not in (None, -signal.SIGKILL)
                if crashed:
                    message = _("The test process stopped in the middle of this test (exit code {code}): "
                                "did your code call os._exit(), kill its own process, or crash the interpreter?").format(
                                    code=process.returncode)
                else:
                    message = _("Your code ran past the time limit ({seconds} s) and could not be "
                                "interrupted, so its process was stopped. Look for an endless loop or a call that "
                                "never returns (e.g. a lock or queue nobody releases).").format(
                                    seconds=f"{spec.limit(ex_id):g}")
                results[running] = TestResult(nodeid=running, name=running.split("::")[-1], exercise=ex_id,
                                              outcome="failed", message=message, details=output[-4000:])
                if running not in order:
                    order.append(running)
                if not crashed and ex_id != "lesson":
                    # It hung: the exercise's other tests would only wait out their limits too.
                    from .diagnostics import not_run_message  # (only now: it imports asyncio)

                    for nodeid, other in test_exercise.items():
                        if other == ex_id and nodeid not in results:
                            results[nodeid] = TestResult(nodeid=nodeid, name=nodeid.split("::")[-1], exercise=ex_id,
                                                         outcome="failed", message=not_run_message())
                continue  # run what is left in a fresh process
            if not finished and len(results) > known_before and any(n not in results for n in test_exercise):
                continue  # it ended between two tests (a thread called os._exit, ...): the rest run afresh
            if not finished and not results and not collect_errors:
                problem = _startup_problem(output, process.returncode)
            break

    finally:
        if not detached:
            shutil.rmtree(tmp, ignore_errors=True)

    by_ex = {ex.id: ExerciseResult(exercise=ex) for ex in selected}
    for nodeid in order:
        result = results.get(nodeid)
        if result and result.exercise in by_ex:
            by_ex[result.exercise].tests.append(result)
    for event in measured:
        if test_exercise.get(event.nodeid) in by_ex:
            by_ex[test_exercise[event.nodeid]].measurements.append(event)
    for ex_result in by_ex.values():
        if not ex_result.tests:
            ex_result.problem = (
                _("Its tests could not be collected:") + "\n" + "\n".join(collect_errors)[-2000:]
                if collect_errors
                else problem or _("No test ran for this exercise.")
            )
    extra = [results[n] for n in order if n in results and results[n].exercise not in by_ex]
    return LessonResult(lesson=lesson, target=target, exercises=list(by_ex.values()),
                        elapsed=time.perf_counter() - started, problem=problem, course_tests=extra)


def _startup_problem(output: str, code: int | None) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    tail = "\n".join(lines[-15:])
    return _("The tests could not start (exit code {code}). The last lines pytest printed:").format(code=code) + f"\n{tail}"


def balanced_groups(ids: list[str], durations: dict[str, float], jobs: int) -> list[list[str]]:
    """Split exercises over `jobs` processes, longest first onto the least loaded one, using how long
    each took last time (unknown ones count as average), so no process waits on an unlucky pile."""
    known = [durations[i] for i in ids if i in durations]
    default = sum(known) / len(known) if known else 1.0
    groups: list[list[str]] = [[] for _ in range(min(jobs, len(ids)))]
    loads = [0.0] * len(groups)
    for ex_id in sorted(ids, key=lambda i: -durations.get(i, default)):
        slot = loads.index(min(loads))
        groups[slot].append(ex_id)
        loads[slot] += durations.get(ex_id, default)
    return [sorted(g, key=ids.index) for g in groups if g]


def check_lesson(lesson: Lesson, target: str = "learner", exercises: list[str] | None = None,
                 verbose: bool = False, jobs: int = 2, durations: dict[str, float] | None = None,
                 launch=None, on_status=None, background_cleanup: bool = False) -> LessonResult:
    """A learner's check: the exercises split over `jobs` pytest processes at once.

    Lesson tests mostly wait (sleeps, sockets), so two processes on two cores answer sooner than one;
    each exercise still runs wholly inside one process, so results are the same as `run_lesson`'s."""
    selected = [ex.id for ex in lesson.exercises if not exercises or ex.id in exercises]
    if jobs < 2 or len(selected) < 2 or not lesson.parallel_check:
        return run_lesson(lesson, target, exercises=selected, verbose=verbose, launch=launch, on_status=on_status,
                          background_cleanup=background_cleanup)
    import threading
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    groups = balanced_groups(selected, durations or {}, jobs)
    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            parts = list(pool.map(lambda group: run_lesson(lesson, target, exercises=group, verbose=verbose,
                                                             launch=launch, cancel=cancel, on_status=on_status,
                                                             background_cleanup=background_cleanup),
                                  groups))
        except BaseException:  # Ctrl-C reaches this thread only: stop the others' runs too
            cancel.set()
            raise
    by_id = {r.exercise.id: r for part in parts for r in part.exercises}
    return LessonResult(lesson=lesson, target=target, exercises=[by_id[e] for e in selected if e in by_id],
                        elapsed=time.perf_counter() - started,
                        problem=next((p.problem for p in parts if p.problem), ""))
