"""The grading pieces one by one, without a sandbox: report integrity, safe reading of submissions,
cache keys, results.json redaction, exports."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from awaitlings.course import Course
from awaitlings.grading import cache, submissions
from awaitlings.grading.exports import build_gradescope_zip, classroom_workflow
from awaitlings.grading.gradebook import HIDDEN_OUTPUT, gradescope_results
from awaitlings.grading.integrity import Relay, new_key, sign
from awaitlings.grading.workspace import blocked_ancestors, hidden_paths

from .grading_helpers import COURSE


def _relay(tmp_path, lines: list[bytes]) -> tuple[Relay, list[dict]]:
    key = new_key()
    read_fd, write_fd = os.pipe()
    seen = []
    relay = Relay(key, read_fd, tmp_path / "report.jsonl", on_event=seen.append)
    relay.start()
    for line in lines:
        os.write(write_fd, line(key) if callable(line) else line)
    os.close(write_fd)
    relay.join(5)
    return relay, seen


def test_the_relay_passes_signed_lines_in_order_and_drops_everything_else(tmp_path):
    good = lambda n, body: lambda key: (sign(key, n, json.dumps(body)) + "\n").encode()  # noqa: E731
    forged = json.dumps({"event": "result", "outcome": "passed"}).encode() + b"\n"
    relay, seen = _relay(tmp_path, [
        good(0, {"event": "collected"}),
        forged,  # printed by the learner's code: no signature
        b"0" * 64 + b" 1 " + forged,  # a made-up signature
        good(1, {"event": "result", "outcome": "failed"}),
        good(1, {"event": "result", "outcome": "failed"}),  # a replay of the same line
        b"\n",
        good(2, {"event": "done"}),
        b'{"event": "result"',  # a last line without its newline
    ])
    assert [e["event"] for e in seen] == ["collected", "result", "done"]
    assert relay.rejected == 4 and relay.accepted == 3
    assert (tmp_path / "report.jsonl").read_text().count("\n") == 3


def test_a_line_signed_with_another_runs_key_is_rejected(tmp_path):
    other = new_key()
    relay, seen = _relay(tmp_path, [(sign(other, 0, '{"event": "done"}') + "\n").encode()])
    assert seen == [] and relay.rejected == 1


def test_submitted_files_are_read_only_when_they_are_plain_text_inside_the_submission(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "ok.py").write_text("x = 1\n")
    (sub / "bin.py").write_bytes(b"\x00\x01")
    (sub / "huge.py").write_text("#" * 2_000_000)
    (sub / "latin.py").write_bytes("é".encode("latin-1"))
    secret = tmp_path / "secret.py"
    secret.write_text("ANSWER = 42\n")
    (sub / "link.py").symlink_to(secret)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "inner.py").write_text("x = 2\n")
    (sub / "linked_dir").symlink_to(tmp_path / "elsewhere")
    read = lambda rel: submissions.read_text_file(sub, rel)  # noqa: E731
    assert read("ok.py") == ("x = 1\n", "")
    assert read("missing.py") == (None, "missing")
    assert read("link.py") == (None, "refused: a symbolic link")
    assert read("linked_dir/inner.py") == (None, "refused: a symbolic link")
    assert read("bin.py")[1] == "refused: binary"
    assert read("huge.py")[1].startswith("refused: larger than")
    assert read("latin.py")[1] == "refused: not UTF-8 text"


def test_a_missing_or_refused_file_is_graded_as_the_starter(tmp_path):
    lesson = Course(COURSE).lesson("02")
    starters = submissions.starters_of(lesson)
    (tmp_path / "lessons" / "02_tiny").mkdir(parents=True)
    (tmp_path / "lessons" / "02_tiny" / "ex01_add.py").symlink_to("/etc/hostname")
    handed_in = submissions.lesson_files(lesson, tmp_path, starters)
    assert handed_in.files == starters and handed_in.notes == {"ex01_add.py": "refused: a symbolic link"}


def test_a_folder_of_submissions_is_expanded_and_names_are_unique(tmp_path):
    for name in ("ana", "ben"):
        (tmp_path / "class" / name / "lessons").mkdir(parents=True)
    (tmp_path / "other" / "ana" / "lessons").mkdir(parents=True)
    found = submissions.discover([tmp_path / "class", tmp_path / "other" / "ana"])
    assert [s.name for s in found] == ["ana", "ben", "ana-2"]


def test_a_job_key_follows_the_files_the_tests_and_the_options(tmp_path):
    course_root = tmp_path / "course"
    shutil.copytree(COURSE, course_root)
    lesson = Course(course_root).lesson("02")
    before = cache.lesson_fingerprint(lesson)
    key = cache.job_key(before, {"ex01_add.py": "a"}, {"wall": 1})
    assert key == cache.job_key(before, {"ex01_add.py": "a"}, {"wall": 1})
    assert key != cache.job_key(before, {"ex01_add.py": "b"}, {"wall": 1})
    assert key != cache.job_key(before, {"ex01_add.py": "a"}, {"wall": 2})
    (lesson.path / "ex01_add.py").write_text("# the instructor's own copy of an editable file does not count\n")
    assert cache.lesson_fingerprint(lesson) == before
    (lesson.path / "tests" / "test_ex01_add.py").write_text("def test_x():\n    pass\n")
    assert cache.lesson_fingerprint(lesson) != before


def _result(hidden: bool) -> dict:
    tests = [{"nodeid": "t::a", "name": "test_a", "outcome": "passed", "message": "", "details": "", "output": "",
              "duration": 0.1, "hidden": False},
             {"nodeid": "t::b", "name": "test_b", "outcome": "failed", "message": "expected 3, got 4",
              "details": "Traceback...", "output": "printed", "duration": 0.1, "hidden": hidden}]
    return {"submission": "ana", "lesson": "02_tiny", "score": 1.0, "max_score": 2.0, "flags": ["timeout"],
            "flag_details": {"timeout": "test_b"}, "elapsed": 1.0, "notes": {},
            "exercises": [{"id": "ex01", "title": "t", "score": 1.0, "max_score": 2.0, "passed": False,
                           "problem": "", "tests": tests}]}


def test_hidden_tests_are_redacted_in_the_learners_results_json_only():
    learner = gradescope_results(_result(hidden=True), learner=True)
    instructor = gradescope_results(_result(hidden=True), learner=False)
    hidden = learner["tests"][1]
    assert hidden["name"] == "ex01 › hidden test 1" and hidden["output"] == HIDDEN_OUTPUT
    assert hidden["visibility"] == "after_published" and hidden["score"] == 0 and hidden["max_score"] == 1
    assert "expected 3" not in json.dumps(learner) and "timeout" not in json.dumps(learner)
    assert instructor["tests"][1]["output"] == "expected 3, got 4"
    assert instructor["tests"][1]["extra_data"]["details"] == "Traceback..."
    assert instructor["extra_data"]["flags"] == ["timeout"]
    visible = gradescope_results(_result(hidden=False), learner=True)
    assert visible["tests"][1]["output"] == "expected 3, got 4" and "Traceback" not in json.dumps(visible)


def test_the_gradescope_zip_has_setup_run_autograder_and_the_lesson_but_no_solutions(tmp_path):
    course = Course(COURSE)
    path = build_gradescope_zip(course, course.lesson("02"), tmp_path / "ag.zip")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "course/pyproject.toml"} <= names
        assert "course/lessons/02_tiny/tests/test_ex01_add.py" in names
        assert "course/checker/awaitlings/grading/jail.py" in names
        assert not any("solutions" in n or "/tests/fixtures" in n for n in names)
        for script in ("setup.sh", "run_autograder"):
            assert archive.getinfo(script).external_attr >> 16 & 0o111
        assert "--lesson 02_tiny" in archive.read("run_autograder").decode()


def test_the_classroom_workflow_has_one_check_per_exercise_and_reports_them_all():
    course = Course(COURSE)
    text = classroom_workflow([course.lesson("01"), course.lesson("02")])
    assert text.count("uses: classroom-resources/autograding-command-grader@v1") == 11
    assert "command: awaitlings check 02_tiny --exercise ex01_add" in text
    assert "runners: l01-ex01-ok," in text and "L02-EX01-ADD_RESULTS" in text
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(text)
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    assert steps[-1]["with"]["runners"].split(",") == [s["id"] for s in steps if s.get("id")]


def test_needed_paths_in_untraversable_folders_are_found_and_hidden_paths_spare_them(tmp_path):
    locked = tmp_path / "home"
    (locked / "python" / "lib").mkdir(parents=True)
    (locked / "secrets").mkdir()
    os.chmod(locked, 0o700)
    try:
        [(needed, blocked)] = blocked_ancestors([locked / "python"])
        # the highest folder an unprivileged uid can't enter (pytest's own tmp root may be one already)
        assert needed == str(locked / "python") and str(locked).startswith(blocked)
        hidden = hidden_paths([tmp_path], keep=[locked / "python"])
        assert str(locked / "secrets") in hidden and str(locked / "python") not in hidden
        assert str(tmp_path) not in hidden
    finally:
        os.chmod(locked, 0o755)
