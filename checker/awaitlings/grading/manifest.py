"""The trusted manifest of a lesson: which tests exist, their exercise, whether they are hidden.

Collected once per lesson and batch from the instructor's own files, outside any sandbox (collection
imports tests and fixtures, never learner code). Scores are computed against it, never against what
a submission's run says exists: a test with no verified result counts as failed, and a result for a
test the manifest doesn't know marks the run as tampered with."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from ..course import CourseError, Lesson
from ..protocol import CollectError, Manifest, RunSpec, decode
from ..runner import environment, pytest_command


def collect(lesson: Lesson, timeout: float = 180.0) -> dict:
    """{"tests": [{"nodeid", "exercise", "hidden"}], "errors": [...]} for `lesson` (in a staged copy)."""
    with tempfile.TemporaryDirectory(prefix="awaitlings-manifest-") as tmp:
        report = Path(tmp) / "manifest.jsonl"
        spec = RunSpec.for_lesson(lesson, exercises=tuple(ex.id for ex in lesson.exercises), report=str(report),
                                  guard="manifest")
        cmd = pytest_command(spec)
        cmd[3:3] = ["--collect-only", "-p", "awaitlings.grading.guard"]
        env = environment(spec)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # this run also compiles the tests for every job
        try:
            run = subprocess.run(cmd, cwd=lesson.root, env=env, capture_output=True, text=True, timeout=timeout,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise CourseError(f"Collecting the tests of {lesson.slug} took more than {timeout:g} s") from None
        tests, errors = None, []
        for line in report.read_text(encoding="utf-8").splitlines() if report.exists() else []:
            try:
                event = decode(json.loads(line))
            except ValueError:
                continue
            if isinstance(event, Manifest):
                tests = [t for t in event.tests if t.get("exercise") in {ex.id for ex in lesson.exercises}]
            elif isinstance(event, CollectError):
                errors.append(event.message)
    if tests is None:
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
        raise CourseError(f"Could not collect the tests of {lesson.slug} (exit code {run.returncode}):\n{tail}")
    missing = [ex.id for ex in lesson.exercises if not any(t["exercise"] == ex.id for t in tests)]
    if missing and not errors:
        errors.append(f"no tests found for {', '.join(missing)}")
    return {"lesson": lesson.slug, "tests": tests, "errors": errors, "python": sys.version.split()[0]}
