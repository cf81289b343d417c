"""The regression set of hostile submissions (fixtures/submissions), graded for real in one batch, in
the strongest sandbox this machine allows: each attack costs exactly what it broke, is flagged, and
leaves the other submissions of the batch — the good one included — as if it had not been there."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from awaitlings.course import Course
from awaitlings.grading.batch import BatchOptions, grade_batch
from awaitlings.grading.sandbox import Limits, detect
from awaitlings.grading.workspace import default_workdir

from .grading_helpers import COURSE, EXPECTED, check_expected, compose, processes_in

pytestmark = pytest.mark.skipif(detect().mode != "root",
                                reason="the full hostile set needs the root sandbox (pid namespace, slot uids)")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    out = root / "gradebook"
    course = Course(COURSE)
    others = compose(root / "others", "good")  # another learner's files: nobody may read them
    probes = [COURSE / "lessons" / "01_demo" / "lesson.toml", others / "lessons" / "01_demo" / "ex01_ok.py",
              out / "grades.csv", out / "good" / "01_demo" / "instructor.json"]
    folders = [compose(root / "subs", name, probes if name == "read_instructor" else ()) for name in EXPECTED]
    # A workdir of its own (outside /tmp, which the root sandbox replaces): what runs there is ours.
    default_workdir("root").parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="hostile-", dir=default_workdir("root").parent))
    options = BatchOptions(jobs=4, limits=Limits(wall=90), cache_dir=root / "cache", quiet=True, workdir=workdir)
    started = time.perf_counter()
    batch = grade_batch(course, folders, [course.lesson("01")], out, options)
    yield batch, out, time.perf_counter() - started, options, folders
    shutil.rmtree(workdir, ignore_errors=True)


def result(graded, name):
    batch = graded[0]
    return batch.results[(name, "01_demo")]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_submission_scores_what_it_did_not_break(graded, name):
    check_expected(result(graded, name), name)


def test_the_good_submission_is_graded_as_if_alone(graded):
    good = result(graded, "good")
    assert good["score"] == 11 and good["flags"] == [], good["flag_details"]
    assert good["sandbox"] == "root"


def test_no_process_of_any_submission_outlives_the_batch(graded):
    options = graded[3]
    assert processes_in(options.workdir) == []


def test_the_gradebook_has_a_row_and_flags_for_every_submission(graded):
    _, out, *_ = graded
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert [r["submission"] for r in rows] == list(EXPECTED)
    by_name = {r["submission"]: r for r in rows}
    assert by_name["good"]["flags"] == "" and by_name["good"]["01_demo"] == "11"
    assert "tampered" in by_name["patch_reports"]["flags"]
    report = (out / "report.md").read_text()
    assert "## Flagged" in report and "patch_reports" in report and "tampered" in report
    assert (out / "tests.csv").read_text().count("01_demo") == 10  # one row per test


def test_learner_facing_results_never_show_why_a_run_was_flagged(graded):
    _, out, *_ = graded
    learner = json.loads((out / "patch_reports" / "01_demo" / "results.json").read_text())
    instructor = json.loads((out / "patch_reports" / "01_demo" / "instructor.json").read_text())
    assert learner["score"] == 0 and "flags" not in learner["extra_data"]
    why = instructor["flag_details"]["tampered"]
    assert "canary" in why and "from_item_and_call" in why  # both defences saw it
    assert "tampered" not in json.dumps(learner) and "from_item_and_call" not in json.dumps(learner)


def test_a_cached_regrade_runs_nothing_and_gives_the_same_gradebook(graded):
    batch, out, first, options, folders = graded
    before = (out / "grades.csv").read_text()
    course = Course(COURSE)
    started = time.perf_counter()
    again = grade_batch(course, folders, [course.lesson("01")], out, options)
    elapsed = time.perf_counter() - started
    assert again.ran == 0 and again.cached == len(folders) - (batch.deduplicated or 0) or again.ran == 0
    assert (out / "grades.csv").read_text() == before
    assert elapsed < 5, f"a fully cached re-grade took {elapsed:.1f} s"
