"""The `awaitlings` command as a learner uses it."""

from __future__ import annotations

import json
import subprocess

from .conftest import awaitlings


def test_lessons_are_named_by_number_topic_or_folder(course_copy):
    for name in ("2", "02", "tiny", "02_tiny"):
        run = awaitlings("check", name, "--solutions")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "02_tiny" in run.stdout


def test_an_unknown_lesson_gets_a_short_message(course_copy):
    run = awaitlings("check", "99")
    assert run.returncode == 2
    assert "No lesson called '99'" in run.stderr and "Traceback" not in run.stderr


def test_check_json_is_gradescope_shaped_with_the_lesson_id(course_copy):
    run = awaitlings("check", "02", "--json")
    data = json.loads(run.stdout)
    assert data["lesson"] == "02_tiny"
    assert data["score"] == 0 and data["max_score"] == 1
    test = data["tests"][0]
    assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
    assert test["status"] == "failed" and "should be" in test["output"]


def test_check_on_the_starter_teaches_with_a_hint_and_the_file_to_edit(course_copy):
    run = awaitlings("check", "02")
    assert run.returncode == 1
    assert "should be" in run.stdout
    assert "edit: lessons/02_tiny/ex01_add.py" in run.stdout
    assert "hint 1/2: Return the sum." in run.stdout


def test_check_without_a_lesson_picks_the_first_unfinished_one(course_copy):
    run = awaitlings("check")
    assert "01_demo" in run.stdout


def test_progress_is_derived_from_checks_and_listed(course_copy):
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text((course_copy / "solutions/02_tiny/ex01_add.py").read_text())
    assert awaitlings("check", "02").returncode == 0
    listing = awaitlings("list", "--all").stdout
    assert "✓ ex01_add" in listing
    progress = json.loads((course_copy / ".awaitlings/progress.json").read_text())
    assert progress["exercises"]["02_tiny/ex01_add"]["done"] is True
    # The file is only a cache: deleting it loses nothing a new check won't rebuild.
    (course_copy / ".awaitlings/progress.json").unlink()
    assert awaitlings("check", "02").returncode == 0
    assert "✓ ex01_add" in awaitlings("list", "--all").stdout


def test_hints_come_one_level_at_a_time(course_copy):
    first = awaitlings("hint", "ex01_add").stdout
    second = awaitlings("hint", "ex01_add").stdout
    third = awaitlings("hint", "ex01_add").stdout
    assert "hint 1/2: Return the sum." in first
    assert "hint 2/2" in second and "a + b" in second
    assert "hint 2/2" in third


def test_solution_stays_locked_until_the_exercise_passes(course_copy):
    locked = awaitlings("solution", "ex01_add")
    assert locked.returncode == 1 and "locked" in locked.stdout and "return a + b" not in locked.stdout
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return b + a\n")
    unlocked = awaitlings("solution", "ex01_add")
    assert unlocked.returncode == 0 and "return a + b" in unlocked.stdout


def test_reset_restores_the_starter_even_after_the_edit_was_committed(course_copy):
    def git(*args):
        subprocess.run(["git", *args], cwd=course_copy, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=l@x", "-c", "user.name=learner", "add", "-A")
    git("-c", "user.email=l@x", "-c", "user.name=learner", "commit", "-qm", "course")
    edited = "async def add(a, b):\n    return 'my attempt'\n"
    target = course_copy / "lessons/02_tiny/ex01_add.py"
    target.write_text(edited)
    git("-c", "user.email=l@x", "-c", "user.name=learner", "commit", "-qam", "my work")
    run = awaitlings("reset", "ex01_add", "--yes")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# TODO: return the sum" in target.read_text()
    backups = list((course_copy / ".awaitlings/backup").rglob("ex01_add.py"))
    assert backups and backups[0].read_text() == edited  # nothing is lost


def test_reset_refuses_without_confirmation_when_not_interactive(course_copy):
    target = course_copy / "lessons/02_tiny/ex01_add.py"
    target.write_text("async def add(a, b):\n    return 0\n")
    run = awaitlings("reset", "02")
    assert run.returncode == 2 and "--yes" in run.stdout
    assert target.read_text().endswith("return 0\n")


def test_run_says_so_when_a_lesson_has_no_mini_project(course_copy):
    run = awaitlings("run", "02")
    assert run.returncode == 0 and "no mini-project" in run.stdout


def test_doctor_reports_packages_and_services(course_copy):
    run = awaitlings("doctor")
    assert "django" in run.stdout and "redis" in run.stdout


def test_doctor_lists_the_services_each_lesson_needs_and_whether_they_are_there_now():
    from awaitlings.course import Course
    from awaitlings.doctor import lesson_needs

    from .conftest import REPO

    course = Course(REPO)
    assert "redis" in lesson_needs(course.lesson("09")) and "browser" in lesson_needs(course.lesson("09"))
    assert "celery" in lesson_needs(course.lesson("12"))
    run = awaitlings("doctor", cwd=REPO)
    line = next(l for l in run.stdout.splitlines() if l.strip().startswith("09_channel_layers_groups"))
    assert "browser" in line and "redis" in line and ("ready" in line or "missing" in line), line


def test_verify_passes_an_honest_lesson(course_copy):
    run = awaitlings("verify", "02")
    assert run.returncode == 0, run.stdout
    assert "✓ 02_tiny" in run.stdout


def test_verify_catches_a_starter_that_already_passes(course_copy):
    solved = (course_copy / "solutions/02_tiny/ex01_add.py").read_text()
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text(solved)
    assert awaitlings("snapshot", "02").returncode == 0
    run = awaitlings("verify", "02")
    assert run.returncode == 1
    assert "already scores full marks" in run.stdout


def test_verify_catches_a_starter_that_scores_above_zero(course_copy):
    """A pristine starter must score 0: a second test the untouched stub passes by accident is a defect."""
    tests = course_copy / "lessons/02_tiny/tests/test_ex01_add.py"
    tests.write_text(tests.read_text() + (
        "\n\nasync def test_add_is_a_coroutine_function():\n"
        "    need(load(\"ex01_add\"), \"add\", \"coroutine function\")\n"
    ))
    run = awaitlings("verify", "02")
    assert run.returncode == 1, run.stdout
    assert "starter of ex01_add scores 0.5/1: a pristine starter must score 0" in run.stdout, run.stdout
    assert "test_add_is_a_coroutine_function" in run.stdout


def test_verify_catches_a_broken_solution_and_missing_anatomy(course_copy):
    (course_copy / "solutions/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return a - b\n")
    (course_copy / "notebooks/02_tiny.ipynb").unlink()
    run = awaitlings("verify", "02")
    assert run.returncode == 1
    assert "solution of ex01_add scores 0/1" in run.stdout
    assert "missing a notebook" in run.stdout


def test_verify_in_ci_fails_on_a_stale_starter_snapshot(course_copy):
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return None  # edited\n")
    run = awaitlings("verify", "02", "--strict")
    assert run.returncode == 1 and "snapshot is stale" in run.stdout


def test_til_draft_reports_real_results(course_copy):
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return a + b\n")
    awaitlings("check", "02")
    draft = awaitlings("til", "02").stdout
    assert draft.startswith("---\ntitle: \"[TIL] Tiny: one honest exercise\"")
    assert "- Be verified" in draft
    assert "- [x] Add two numbers concurrently-safe (1/1)" in draft


def test_run_serves_a_mini_project_and_stops_every_process_on_sigterm(tmp_path):
    """`awaitlings run 05` on the real course: the page answers, and SIGTERM leaves nothing behind."""
    import os
    import signal
    import sys
    import time
    import urllib.request

    from awaitlings.course import Course

    from .conftest import REPO

    lesson = Course(REPO).lesson("05")
    ports = [p["port"] for p in lesson.run["processes"] if p.get("port")]
    process = subprocess.Popen([sys.executable, "-m", "awaitlings.cli", "run", "05", "--solutions"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "NO_COLOR": "1"})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(lesson.run["open"], timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("the mini-project never answered")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    finally:
        process.kill()
    for port in ports:
        with __import__("socket").socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"something still listens on {port}"
