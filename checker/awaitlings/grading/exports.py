"""Exports instructors ask for.

- Gradescope: `awaitlings gradescope LESSON` builds the autograder zip: `setup.sh` (Python 3.11+,
  Redis, the course package), `run_autograder` (grades /autograder/submission with this same harness
  and writes /autograder/results/results.json, always, even when something breaks), and the course:
  the package, pyproject.toml and that one lesson (tests included, solutions never).
- GitHub Classroom: `awaitlings classroom [LESSONS]` writes a workflow that runs the public tests of
  each exercise on every push (formative: the learner owns that repository and its tests)."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import time
import traceback
import zipfile
from pathlib import Path

from ..course import Course, Lesson

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends redis-server ca-certificates
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  apt-get install -y --no-install-recommends python3-venv python3-pip
  PY=python3
else  # Ubuntu 22.04 ships 3.10: take 3.11 from deadsnakes
  apt-get install -y --no-install-recommends software-properties-common
  add-apt-repository -y ppa:deadsnakes/ppa
  apt-get update
  apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PY=python3.11
fi
"$PY" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
/autograder/venv/bin/python -m pip install /autograder/source/course
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. It always writes /autograder/results/results.json.
cd /autograder/source/course
export AWAITLINGS_ROOT=/autograder/source/course
exec /autograder/venv/bin/python -m awaitlings.grading.gradescope \\
  --lesson {slug} --submission /autograder/submission --results /autograder/results/results.json
"""

_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".awaitlings", "tests"}


def _add_tree(archive: zipfile.ZipFile, source: Path, prefix: str, skip_dirs=frozenset({"__pycache__"})) -> None:
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in skip_dirs)
        for name in sorted(files):
            if name.endswith((".pyc", ".sqlite3")):
                continue
            path = Path(folder, name)
            archive.write(path, f"{prefix}/{path.relative_to(source).as_posix()}")


def _add_text(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def build_gradescope_zip(course: Course, lesson: Lesson, out: Path | None = None) -> Path:
    out = out or Path.cwd() / f"gradescope-{lesson.slug}.zip"
    package = Path(__file__).resolve().parents[1]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_text(archive, "setup.sh", SETUP_SH, executable=True)
        _add_text(archive, "run_autograder", RUN_AUTOGRADER.format(slug=lesson.slug), executable=True)
        archive.write(course.root / "pyproject.toml", "course/pyproject.toml")
        readme = course.root / "README.md"
        _add_text(archive, "course/README.md", readme.read_text() if readme.exists() else "awaitlings\n")
        _add_tree(archive, package, "course/checker/awaitlings", skip_dirs=_SKIP_DIRS)
        _add_tree(archive, lesson.path, f"course/lessons/{lesson.slug}")
    return out


def run_on_gradescope(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m awaitlings.grading.gradescope")
    parser.add_argument("--lesson", required=True)
    parser.add_argument("--submission", default="/autograder/submission")
    parser.add_argument("--results", default="/autograder/results/results.json")
    parser.add_argument("--sandbox", default="auto")
    args = parser.parse_args(argv)
    results_path = Path(args.results)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        from . import cache, submissions
        from .execute import Grader
        from .gradebook import gradescope_results

        course = Course()
        lesson = course.lesson(args.lesson)
        grader = Grader(course, sandbox=args.sandbox, hide=[Path(args.submission)])
        handed_in = submissions.lesson_files(lesson, Path(args.submission), submissions.starters_of(lesson))
        job = {"submission": "submission", "lesson": lesson.slug, "files": handed_in.files,
               "notes": handed_in.notes, "key": cache.job_key(grader.lesson_print(lesson), handed_in.files,
                                                              grader.options())}
        result = grader.grade(job)
        grader.close()
        out = gradescope_results(result, learner=False)
        out["output"] = ""  # flags and their reasons stay in extra_data, which students don't see
        for test in out["tests"]:
            test.pop("extra_data", None)
    except Exception:  # noqa: BLE001 - Gradescope must always get a results.json
        out = {"score": 0.0, "execution_time": round(time.perf_counter() - started, 2), "visibility": "visible",
               "output": "The autograder could not grade this submission; your instructor has been told.",
               "extra_data": {"error": traceback.format_exc()[-4000:]}, "tests": []}
    results_path.write_text(json.dumps(out, indent=2))
    print(json.dumps({"score": out.get("score"), "max_score": out.get("max_score")}))
    return 0


def _step_id(lesson: Lesson, ex_id: str) -> str:
    return f"l{lesson.number}-{ex_id.replace('_', '-')}"


def classroom_workflow(lessons: list[Lesson]) -> str:
    steps, runners, env = [], [], []
    for lesson in lessons:
        for ex in lesson.exercises:
            step = _step_id(lesson, ex.id)
            runners.append(step)
            minutes = max(1, int((ex.time_limit * 10 + 60) // 60))
            steps.append(f"""      - name: {lesson.slug} {ex.id}
        id: {step}
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: "{lesson.slug}/{ex.id}"
          command: awaitlings check {lesson.slug} --exercise {ex.id}
          timeout: {minutes}
          max-score: {ex.points:g}""")
            env.append(f'          {step.upper()}_RESULTS: "${{{{ steps.{step}.outputs.result }}}}"')
    return f"""# GitHub Classroom autograding for awaitlings, generated by `awaitlings classroom`.
# Runs the public tests of each exercise on every push, one check per exercise (its points if it passes).
# Formative only: learners own their repository, tests included. Grade for marks with `awaitlings grade`.
name: Autograding Tests
"on":
  - push
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    env:
      NO_COLOR: "1"
      AWAITLINGS_CHROMIUM: /usr/bin/google-chrome
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the course and Redis
        run: |
          sudo apt-get update && sudo apt-get install -y redis-server
          python -m pip install -e .
{chr(10).join(steps)}
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
{chr(10).join(env)}
        with:
          runners: {",".join(runners)}
"""


if __name__ == "__main__":
    sys.exit(run_on_gradescope())
