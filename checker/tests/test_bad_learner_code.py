"""Bad learner code never breaks the checker: each misbehaviour costs its own exercise, with a specific
message, within its time limit, and the other exercises are still graded."""

from __future__ import annotations

import pytest

from awaitlings import warm
from awaitlings.course import Course
from awaitlings.runner import run_lesson

from .conftest import FIXTURE_COURSE, private_warm_server


@pytest.fixture(scope="module", params=["fresh", "warm"])
def demo_result(request):
    """The same misbehaving lesson, run in a fresh Python and forked from the warm server: same verdicts."""
    lesson = Course(FIXTURE_COURSE).lesson("01")
    if request.param == "fresh":
        return run_lesson(lesson)
    with private_warm_server(FIXTURE_COURSE) as path:
        result = run_lesson(lesson, launch=warm.launcher(path))
        assert warm.status(FIXTURE_COURSE)["runs"] >= 2, "the runs did not go through the warm server"
    return result


def _result(demo_result, ex_id):
    return next(e for e in demo_result.exercises if e.exercise.id == ex_id)


def test_a_correct_exercise_scores_full_marks_beside_broken_ones(demo_result):
    ok = _result(demo_result, "ex01_ok")
    assert ok.passed and ok.score == 2


@pytest.mark.parametrize(
    "ex_id, expected",
    [
        ("ex02_syntax", "line 1 has a syntax error"),
        ("ex03_import_crash", "Importing ex03_import_crash.py raised ZeroDivisionError"),
        ("ex04_exit", "called sys.exit(2)"),
        ("ex05_loop", "Still running: ex05_loop.py line 2, in spin()"),
        ("ex06_blocking", "`time.sleep(0.15)` on line 6 is a blocking call inside `async def`"),
        ("ex07_deadlock", "waiting at ex07_deadlock.py line 5, in consume(): `item = await queue.get()`"),
        ("ex08_os_exit", "process stopped in the middle of this test"),
        ("ex09_unstoppable", "could not be interrupted, so its process was stopped"),
        ("ex10_thread_deadlock", "Thread bob at ex10_thread_deadlock.py line 10, in _take(): `with b:`"),
    ],
)
def test_each_misbehaviour_fails_its_exercise_with_a_specific_message(demo_result, ex_id, expected):
    result = _result(demo_result, ex_id)
    assert result.score == 0
    message = result.first_failure.message if result.first_failure else result.problem
    assert expected in message, message


def test_a_sequential_answer_is_told_the_measured_time(demo_result):
    message = _result(demo_result, "ex06_blocking").first_failure.message
    assert "ran sequentially: 4 calls of 0.15 s took" in message


def test_messages_carry_no_traceback_unless_asked(demo_result):
    for ex_result in demo_result.exercises:
        for test in ex_result.tests:
            assert "Traceback" not in test.message


def test_the_whole_misbehaving_lesson_finishes_within_its_time_limits(demo_result):
    # 1 s limits, two timeouts, one unstoppable test killed at 0.5 s + grace, plus start-ups.
    assert demo_result.elapsed < 30
