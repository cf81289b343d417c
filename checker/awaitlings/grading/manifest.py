"""The trusted manifest of a lesson: which tests exist, their exercise, whether they are hidden.

Collected once per lesson and batch from the instructor's own files, outside any sandbox (collection
imports tests and fixtures, never learner code). Scores are computed against it, never against what
a submission's run says exists: a test with no verified result counts as failed, and a result for a
test the manifest doesn't know marks the run as tampered with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ..course import CourseError, Lesson
from ..runner import pytest_command


def collect(lesson: Lesson, timeout: float = 180.0) -> dict:
    """{"tests": [{"nodeid", "exercise", "hidden"}], "errors": [...]} for `lesson` (in a staged copy)."""
    with tempfile.TemporaryDirectory(prefix="awaitlings-manifest-") as tmp:
        report = Path(tmp) / "manifest.jsonl"
        cmd = pytest_command(lesson, "learner", report, [ex.id for ex in lesson.exercises], [])
        cmd[3:3] = ["--collect-only", "-p", "awaitlings.grading.guard"]
        env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "AWAITLINGS_ROOT": str(lesson.root),
               "AWAITLINGS_GUARD": "manifest"}
        env.pop("PYTEST_ADDOPTS", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # this run also compiles the tests for every job
        try:
            run = subprocess.run(cmd, cwd=lesson.root, env=env, capture_output=True, text=True, timeout=timeout,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise CourseError(f"Collecting the tests of {lesson.slug} took more than {timeout:g} s") from None
        tests, errors = None, []
        for line in report.read_text(encoding="utf-8").splitlines() if report.exists() else []:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "manifest":
                tests = [t for t in event["tests"] if t.get("exercise") in {ex.id for ex in lesson.exercises}]
            elif event.get("event") == "collect_error":
                errors.append(event.get("message", ""))
    if tests is None:
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
        raise CourseError(f"Could not collect the tests of {lesson.slug} (exit code {run.returncode}):\n{tail}")
    missing = [ex.id for ex in lesson.exercises if not any(t["exercise"] == ex.id for t in tests)]
    if missing and not errors:
        errors.append(f"no tests found for {', '.join(missing)}")
    return {"lesson": lesson.slug, "tests": tests, "errors": errors, "python": sys.version.split()[0]}
