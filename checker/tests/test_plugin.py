"""Plain pytest grades a lesson too: the learner's files in place, or the plugin's chosen target."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import REPO


def _pytest(course, *args):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "lessons/02_tiny", "-q", "-p", "no:cacheprovider", *args],
        cwd=course, capture_output=True, text=True, timeout=120,
        env={**os.environ, "AWAITLINGS_ROOT": str(course)},
    )


def test_plain_pytest_grades_the_learners_files_in_place(course_copy):
    run = _pytest(course_copy)
    assert run.returncode == 1 and "1 failed" in run.stdout


def test_plain_pytest_grades_the_solutions_with_the_target_option(course_copy):
    run = _pytest(course_copy, "--awaitlings-target=solutions")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout


def test_plain_pytest_grades_a_submission_folder_taking_only_editable_files(course_copy, tmp_path):
    submission = tmp_path / "alice"
    (submission / "lessons/02_tiny/tests").mkdir(parents=True)
    (submission / "lessons/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return a + b\n")
    # A submission's own tests are never used: this one would pass anything.
    (submission / "lessons/02_tiny/tests/test_ex01_add.py").write_text("def test_x():\n    pass\n")
    run = _pytest(course_copy, f"--awaitlings-target={submission}")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout
    (submission / "lessons/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return 0\n")
    assert _pytest(course_copy, f"--awaitlings-target={submission}").returncode == 1


def test_a_symlink_to_the_solution_is_not_read(course_copy, tmp_path):
    submission = tmp_path / "mallory"
    (submission / "lessons/02_tiny").mkdir(parents=True)
    (submission / "lessons/02_tiny/ex01_add.py").symlink_to(course_copy / "solutions/02_tiny/ex01_add.py")
    run = _pytest(course_copy, f"--awaitlings-target={submission}")
    assert run.returncode == 1, "a linked file must be graded as missing (the starter)"


def test_the_plugin_stays_out_of_runs_that_are_not_lessons():
    run = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "checker/tests/test_plugin.py",
                          "-p", "no:cacheprovider"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
