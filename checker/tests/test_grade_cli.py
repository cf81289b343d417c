"""`awaitlings grade` as an instructor runs it: the command, its outputs, re-grading from the cache,
hidden tests, the Gradescope runner, and the weakest sandbox (`none`) still holding the line."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from awaitlings.course import Course
from awaitlings.grading.batch import BatchOptions, grade_batch
from awaitlings.grading.sandbox import Limits

from .conftest import REPO
from .grading_helpers import COURSE, check_expected, compose


def grade(*args, root=COURSE, timeout=300):
    return subprocess.run([sys.executable, "-m", "awaitlings.cli", "grade", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "AWAITLINGS_ROOT": str(root), "NO_COLOR": "1"})


@pytest.fixture
def two_learners(tmp_path):
    ana = tmp_path / "class" / "ana" / "lessons" / "02_tiny"
    ana.mkdir(parents=True)
    (ana / "ex01_add.py").write_text("async def add(a, b):\n    return a + b\n")
    ben = tmp_path / "class" / "ben" / "lessons" / "02_tiny"
    ben.mkdir(parents=True)
    (ben / "ex01_add.py").write_text("async def add(a, b):\n    return a - b\n")
    return tmp_path / "class"


def test_grade_writes_the_gradebook_and_a_second_run_comes_from_the_cache(two_learners, tmp_path):
    out = tmp_path / "gradebook"
    run = grade(str(two_learners), "--out", str(out), "--lessons", "02", "--jobs", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Graded 2 submissions × 1 lessons" in run.stdout and "(2 run, 0 cached" in run.stdout
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert rows["ana"]["02_tiny"] == "1" and rows["ben"]["02_tiny"] == "0"
    assert rows["ana"]["total"] == "1" and rows["ana"]["max"] == "1"
    results = json.loads((out / "ben" / "02_tiny" / "results.json").read_text())
    assert results["score"] == 0 and results["tests"][0]["status"] == "failed"
    assert "should be" in results["tests"][0]["output"]
    assert {"grades.csv", "exercises.csv", "tests.csv", "report.md", "run.json"} <= {p.name for p in out.iterdir()}
    assert (out / "ana" / "feedback.md").read_text().startswith("# Feedback for ana")
    again = grade(str(two_learners), "--out", str(out), "--lessons", "02")
    assert "(0 run, 2 cached" in again.stdout, again.stdout + again.stderr
    assert (out / "grades.csv").read_text().splitlines() == open(out / "grades.csv").read().splitlines()
    (two_learners / "ben" / "lessons" / "02_tiny" / "ex01_add.py").write_text("async def add(a, b):\n    return b + a\n")
    third = grade(str(two_learners), "--out", str(out), "--lessons", "02")
    assert "(1 run, 1 cached" in third.stdout, third.stdout
    assert {r["submission"]: r["02_tiny"] for r in csv.DictReader(open(out / "grades.csv"))} == {"ana": "1", "ben": "1"}


def test_hidden_tests_count_but_learners_never_see_their_details(course_copy, two_learners, tmp_path):
    toml = course_copy / "lessons" / "02_tiny" / "lesson.toml"
    toml.write_text(toml.read_text() + "hidden = true\n")  # the last table is the exercise
    out = tmp_path / "gradebook"
    run = grade(str(two_learners / "ben"), "--out", str(out), "--lessons", "02", root=course_copy)
    assert run.returncode == 0, run.stdout + run.stderr
    learner = json.loads((out / "ben" / "02_tiny" / "results.json").read_text())
    instructor = json.loads((out / "ben" / "02_tiny" / "instructor.json").read_text())
    assert learner["tests"][0]["name"] == "ex01_add › hidden test 1"
    assert "should be" not in json.dumps(learner) and "test_add_returns_the_sum" not in json.dumps(learner)
    assert instructor["exercises"][0]["tests"][0]["hidden"] is True
    assert "should be" in instructor["exercises"][0]["tests"][0]["message"]
    assert "a hidden test failed" in (out / "ben" / "feedback.md").read_text()


def test_the_gradescope_runner_always_writes_results_json(tmp_path, two_learners):
    results = tmp_path / "results" / "results.json"
    env = {**os.environ, "AWAITLINGS_ROOT": str(COURSE)}
    run = subprocess.run([sys.executable, "-m", "awaitlings.grading.gradescope", "--lesson", "02",
                          "--submission", str(two_learners / "ana" / "lessons" / "02_tiny"), "--results", str(results)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(results.read_text())
    assert data["score"] == 1 and data["tests"][0]["status"] == "passed" and data["output"] == ""
    broken = subprocess.run([sys.executable, "-m", "awaitlings.grading.gradescope", "--lesson", "99",
                             "--submission", str(tmp_path), "--results", str(results)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert broken.returncode == 0
    assert json.loads(results.read_text())["score"] == 0  # a results.json even when grading itself fails


NONE_MODE = ["good", "os_exit", "kill_group", "patch_plugin", "fake_results", "skip_self", "infinite_loop"]


def test_without_namespaces_the_audit_hook_and_rlimits_still_grade_attacks_right(tmp_path):
    """The degraded sandbox (no root, no user namespaces): still correct scores and flags for the
    attacks it can stop, and a warning in the report. (No fork bomb or kill(-1) here: without a pid
    namespace and as root, only the audit hook would stand between them and the machine.)"""
    course = Course(COURSE)
    folders = [compose(tmp_path / "subs", name) for name in NONE_MODE]
    batch = grade_batch(course, folders, [course.lesson("01")], tmp_path / "out",
                        BatchOptions(jobs=3, sandbox="none", limits=Limits(wall=60), quiet=True))
    for name in NONE_MODE:
        result = batch.results[(name, "01_demo")]
        assert result["sandbox"] == "none"
        check_expected(result, name)
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["sandbox"] == "none" and run["warnings"]
    assert "Warning" in (tmp_path / "out" / "report.md").read_text()


def test_without_the_fork_server_fresh_interpreters_grade_the_same(tmp_path, monkeypatch):
    """The warm fork server is an optimisation: with it off (or broken), each run starts `unshare` and a
    fresh interpreter, with the same isolation and the same grades."""
    monkeypatch.setenv("AWAITLINGS_ZYGOTE", "0")
    course = Course(COURSE)
    names = ["good", "os_exit", "patch_plugin", "fake_results"]
    folders = [compose(tmp_path / "subs", name) for name in names]
    batch = grade_batch(course, folders, [course.lesson("01")], tmp_path / "out",
                        BatchOptions(jobs=2, limits=Limits(wall=60), quiet=True))
    for name in names:
        check_expected(batch.results[(name, "01_demo")], name)
