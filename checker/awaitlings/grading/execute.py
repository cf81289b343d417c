"""Grade one (submission, lesson) job: stage it, run it in the sandbox, and turn what came back into a
score against the trusted manifest, with flags for everything that went wrong.

A job is a plain dict, so any backend can carry it (threads here, Celery tasks on other machines):
    {"submission", "lesson", "files": {rel: text}, "notes": {rel: why}, "key", "lesson_fingerprint"}
and so is its result (see `assemble`)."""

from __future__ import annotations

import os
import re
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

from ..course import Course, CourseError, Lesson
from ..protocol import GuardFinding, Manifest, decode
from ..runner import ExerciseResult, TestResult, run_lesson
from . import cache, manifest
from .guard import CANARY_EXERCISE
from .sandbox import NONE, ROOT, JobSandbox, Limits, SandboxInfo, Slots, detect
from .workspace import Templates, Workspace, blocked_ancestors, default_workdir, hidden_paths, keep_paths

UID_BASE = 61000
RESULT_FORMAT = 1

# Flags that cost the whole lesson its score: the run's own verdicts can't be trusted.
INTEGRITY_FLAGS = ("tampered",)
FLAG_HELP = {
    "tampered": "the run's verdicts were manipulated (canary passed, pytest or checker patched, unknown tests, "
                "course files changed): the lesson scores 0",
    "forged-report": "lines that were not signed by the checker reached the report; they were ignored",
    "no-report": "no verified result came back at all",
    "timeout": "a test ran past its time limit",
    "crash": "the test process died in the middle of a test",
    "wall-limit": "the lesson ran out of its wall-clock budget; tests that had not run score 0",
    "resources": "a memory, process, file or CPU limit was hit",
    "fork-storm": "code forked without end; the processes were killed and the remaining tests ran afresh",
    "write-denied": "code tried to write to the course's files (tests, fixtures, the checker)",
    "kill": "code sent a signal to the test process, its group or every process",
    "skip-in-test": "a test skipped itself while running (counted as failed)",
    "skipped": "tests were skipped (a service such as Redis was missing on the grading machine)",
    "missing-files": "editable files were missing: graded as the untouched starter",
    "refused-files": "editable files were refused (symbolic link, binary, huge): graded as the starter",
    "course-mismatch": "the worker's copy of the course differs from the instructor's",
    "infra-error": "the grader itself failed on this job (not the submission's fault)",
}
RESOURCE_SIGNS = ("MemoryError", "Cannot allocate memory", "Resource temporarily unavailable",
                  "can't start new thread", "Too many open files", "File too large", "SIGXCPU", "SIGXFSZ")


class Grader:
    """Everything a process needs to grade jobs: the course, sandbox, templates, manifests, slots."""

    def __init__(self, course: Course, limits: Limits | None = None, sandbox: str = "auto",
                 workdir: Path | None = None, hide: list[Path] | None = None) -> None:
        self.course = course
        self.limits = limits or Limits()
        self.info = detect(sandbox)
        self.mode = self.info.mode
        self.workdir = Path(workdir or default_workdir(self.mode))
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o711)
        self.templates = Templates(self.workdir)
        self.slots = Slots()
        self._manifests: dict[str, dict] = {}
        self._prints: dict[str, str] = {}
        self._zygote = None
        self._zygote_lock = threading.Lock()
        self.use_zygote = os.environ.get("AWAITLINGS_ZYGOTE", "1") != "0"
        candidates = [course.root, *(hide or [])]
        fresh = []
        if self.mode == ROOT:
            candidates += [Path("/root"), Path("/home")]
            fresh = [p for p in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(p)]
        keep = keep_paths() + [self.workdir]
        self.expose = blocked_ancestors(keep) if self.mode == ROOT else []
        # Root drops to a per-slot uid: always with namespaces (they can expose a Python under /root);
        # without them only when everything the sandbox needs is reachable by an unprivileged uid.
        self.drop_uid = os.geteuid() == 0 and (self.mode == ROOT or (self.mode == NONE and not blocked_ancestors(keep)))
        if os.geteuid() == 0 and self.mode == NONE and not self.drop_uid:
            self.info = SandboxInfo(self.mode, self.info.warnings + (
                "running submissions as root without namespaces (the Python environment is not readable by an "
                "unprivileged uid): fork bombs and file writes are held back only by the audit hook",))
        blocked = [b for _, b in self.expose]
        # What sits in a blocked folder is hidden with it when that folder is replaced.
        self.hide = [h for h in hidden_paths(candidates, keep)
                     if not any(h == b or h.startswith(b + os.sep) for b in blocked)]
        self.fresh = [p for p in fresh if not any(str(k).startswith(p + "/") for k in keep)]

    # --- per lesson ---

    def lesson_print(self, lesson: Lesson) -> str:
        if lesson.slug not in self._prints:
            self._prints[lesson.slug] = cache.lesson_fingerprint(lesson)
        return self._prints[lesson.slug]

    def manifest(self, lesson: Lesson) -> dict:
        self.template(lesson)
        return self._manifests[lesson.slug]

    def template(self, lesson: Lesson) -> Path:
        def warm(staged: Lesson) -> None:
            self._manifests[lesson.slug] = manifest.collect(staged)

        return self.templates.get(lesson, warm=warm)

    def options(self) -> dict:
        """What a job key depends on besides files and course."""
        return {"limits": self.limits.as_dict(), "sandbox": self.mode}

    def zygote(self):
        """The warm fork server (root and none modes), started on first use; None when unavailable."""
        if not self.use_zygote or self.mode not in (ROOT, NONE):
            return None
        with self._zygote_lock:
            if self._zygote is None or not self._zygote.alive:
                from .zygote import Zygote, ZygoteError

                env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV") if key in os.environ}
                env.update({"PYTHONHASHSEED": "0", "MALLOC_ARENA_MAX": "2", "PYTHONUNBUFFERED": "1",
                            "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
                try:
                    self._zygote = Zygote(env)
                except (ZygoteError, OSError, ValueError):
                    self.use_zygote = False
                    return None
            return self._zygote

    def close(self) -> None:
        if self._zygote is not None:
            self._zygote.close()
        self.templates.cleanup()  # job folders are removed by their jobs; others may share the workdir

    # --- per job ---

    def grade(self, job: dict) -> dict:
        started = time.perf_counter()
        try:
            lesson = self.course.lesson(job["lesson"])
            if job.get("lesson_fingerprint") and job["lesson_fingerprint"] != self.lesson_print(lesson):
                return failed_job(job, "course-mismatch", f"this machine's copy of {lesson.slug} differs from the "
                                  "instructor's: update the course on the worker", self.mode, started)
            manifest_ = self.manifest(lesson)
            template = self.template(lesson)
        except CourseError as error:
            return failed_job(job, "infra-error", str(error), self.mode, started)
        slot, lock = self.slots.acquire()
        try:
            uid = gid = UID_BASE + slot if self.drop_uid else None
            with Workspace(self.workdir, template, lesson, job["files"], self.mode, uid, gid) as ws:
                sandbox = JobSandbox(mode=self.mode, workdir=ws.dir, limits=self.limits, uid=uid, gid=gid,
                                     hide=self.hide, fresh=self.fresh, expose=self.expose,
                                     deadline=time.monotonic() + self.limits.wall, zygote=self.zygote())
                run = run_lesson(ws.lesson, "learner", launch=sandbox)
                sandbox.finish()
                changed = ws.changed_files()
            return assemble(job, lesson, manifest_, run, sandbox, changed, time.perf_counter() - started,
                            list(self.info.warnings) + sandbox.problems)
        except Exception:  # noqa: BLE001 - one broken job must never stop the batch
            return failed_job(job, "infra-error", traceback.format_exc()[-3000:], self.mode, started)
        finally:
            Slots.release(lock)


def failed_job(job: dict, flag: str, detail: str, mode: str, started: float) -> dict:
    return {
        "format": RESULT_FORMAT, "submission": job.get("submission", ""), "lesson": job.get("lesson", ""),
        "key": job.get("key", ""), "score": 0.0, "max_score": job.get("max_score", 0.0), "flags": [flag],
        "flag_details": {flag: detail}, "exercises": [], "notes": job.get("notes", {}),
        "elapsed": round(time.perf_counter() - started, 3), "attempts": 0, "sandbox": mode,
        "host": socket.gethostname(), "warnings": [],
    }


def _test_dict(test: TestResult, hidden: bool) -> dict:
    return {"nodeid": test.nodeid, "name": test.name, "outcome": test.outcome, "message": test.message,
            "details": test.details, "output": test.output, "duration": round(test.duration, 3), "hidden": hidden}


def assemble(job: dict, lesson: Lesson, manifest_: dict, run, sandbox: JobSandbox, changed: list[str],
             elapsed: float, warnings: list[str]) -> dict:
    flags: dict[str, str] = {}

    def flag(name: str, detail: str) -> None:
        if name not in flags:
            flags[name] = detail
        elif detail and detail not in flags[name] and len(flags[name]) < 600:
            flags[name] += f" · {detail}"

    exercise_ids = {ex.id for ex in lesson.exercises}
    reported: dict[str, TestResult] = {}
    problems: dict[str, str] = {}
    for ex_result in run.exercises:
        for test in ex_result.tests:
            reported[test.nodeid] = test
        if ex_result.problem:
            problems[ex_result.exercise.id] = ex_result.problem
    for test in run.course_tests:
        reported[test.nodeid] = test

    # What the sandboxed runs said about themselves (verified lines only).
    canaries, findings, verified_manifest = set(), [], False
    for event in map(decode, sandbox.events):
        if isinstance(event, Manifest):
            verified_manifest = True
            if event.canary:
                canaries.add(event.canary)
        elif isinstance(event, GuardFinding):
            findings.append(event)

    skip_in_test = set()
    for finding in findings:
        kind, detail = finding.kind, finding.detail
        if kind == "patched":
            flag("tampered", detail)
        elif kind == "skip-in-test":
            skip_in_test.add(detail)
            flag("skip-in-test", detail)
        elif kind in FLAG_HELP:
            flag(kind, detail)

    canary_results = [reported[c] for c in canaries if c in reported]
    for result in canary_results:
        if result.outcome != "failed":
            flag("tampered", f"the always-failing canary test came back {result.outcome}")
    if verified_manifest and not canary_results and not sandbox.wall_expired and "fork-storm" not in flags:
        flag("tampered", "the canary test never reported")
    known = {t["nodeid"] for t in manifest_["tests"]}
    unknown = [n for n, t in reported.items() if n not in known and n not in canaries and t.exercise in exercise_ids]
    if unknown:
        flag("tampered", f"results for tests the course doesn't have: {', '.join(unknown[:5])}")
    if changed:
        flag("tampered", f"course files changed during the run: {', '.join(changed[:5])}")
    if sandbox.rejected_lines:
        flag("forged-report", f"{sandbox.rejected_lines} unsigned or out-of-order report line(s), e.g. "
                              f"{sandbox.rejected_samples[0][:120]!r}" if sandbox.rejected_samples else "")
    if sandbox.wall_expired:
        flag("wall-limit", f"stopped after {sandbox.limits.wall:g} s")
    if not verified_manifest and not reported:
        flag("no-report", run.problem[-1500:] if run.problem else "the test process never reported")
    missing = [rel for rel, why in job.get("notes", {}).items() if why == "missing"]
    refused = [f"{rel} ({why})" for rel, why in job.get("notes", {}).items() if why != "missing"]
    if missing:
        flag("missing-files", ", ".join(missing))
    if refused:
        flag("refused-files", ", ".join(refused))

    # Merge: every manifest test gets exactly one verdict.
    by_exercise: dict[str, list[tuple[TestResult, bool]]] = {ex.id: [] for ex in lesson.exercises}
    for entry in manifest_["tests"]:
        nodeid, ex_id, hidden = entry["nodeid"], entry["exercise"], bool(entry.get("hidden"))
        test = reported.get(nodeid)
        if test is None:
            if sandbox.wall_expired:
                why = f"The lesson used up its time budget ({sandbox.limits.wall:g} s) before this test could run."
            elif ex_id in problems:
                why = problems[ex_id]
            else:
                why = "This test never reported a result: the run was cut short."
            test = TestResult(nodeid=nodeid, name=nodeid.split("::")[-1], exercise=ex_id, outcome="failed",
                              message=why)
        elif nodeid in skip_in_test and test.outcome == "skipped":
            test = TestResult(**{**test.__dict__, "outcome": "failed",
                                 "message": "This test skipped itself while your code ran; when grading, a test "
                                            "that skips from inside counts as failed. " + test.message})
        text = f"{test.message}\n{test.details}"
        if "timed out after" in test.message or "ran past the time limit" in test.message:
            flag("timeout", f"{test.name}")
        if "stopped in the middle of this test" in test.message:
            flag("crash", f"{test.name}")
        if test.outcome == "failed" and any(sign in text for sign in RESOURCE_SIGNS):
            flag("resources", f"{test.name}: " + next(s for s in RESOURCE_SIGNS if s in text))
        if test.outcome == "skipped":
            flag("skipped", f"{test.name}: {test.message[:200]}")
        by_exercise.setdefault(ex_id, []).append((test, hidden))

    integrity_failure = next((flags[f] for f in INTEGRITY_FLAGS if f in flags), "")
    exercises, score, max_score = [], 0.0, 0.0
    for ex in lesson.exercises:
        entries = by_exercise.get(ex.id, [])
        problem = ""
        if integrity_failure:
            problem = f"Integrity check failed, so this lesson scores 0: {integrity_failure}"
        elif not entries:
            problem = problems.get(ex.id) or "; ".join(manifest_.get("errors", [])) or "No test for this exercise."
        ex_result = ExerciseResult(exercise=ex, tests=[t for t, _ in entries], problem=problem)
        score += ex_result.score
        max_score += ex_result.max_score
        exercises.append({
            "id": ex.id, "title": ex.title, "files": list(ex.files), "score": ex_result.score,
            "max_score": ex_result.max_score, "passed": ex_result.passed, "problem": problem,
            "tests": [_test_dict(t, hidden) for t, hidden in entries],
        })
    return {
        "format": RESULT_FORMAT, "submission": job.get("submission", ""), "lesson": lesson.slug,
        "title": lesson.title, "key": job.get("key", ""), "score": round(score, 2), "max_score": max_score,
        "flags": sorted(flags), "flag_details": flags, "exercises": exercises, "notes": job.get("notes", {}),
        "elapsed": round(elapsed, 3), "attempts": sandbox.attempts, "sandbox": sandbox.mode,
        "host": socket.gethostname(), "warnings": warnings,
    }


def comparable(result: dict) -> dict:
    """A result without what legitimately differs between two gradings (timings, host, messages that
    quote measured times): what must be identical between backends."""
    return {
        "submission": result["submission"], "lesson": result["lesson"], "score": result["score"],
        "max_score": result["max_score"], "flags": result["flags"],
        "tests": [(t["nodeid"], t["outcome"], t["hidden"]) for ex in result["exercises"] for t in ex["tests"]],
    }


_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    return _NAME.sub("_", text).strip("._") or "x"


def python_info() -> str:
    return sys.version.split()[0]
