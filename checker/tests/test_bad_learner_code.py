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


def test_a_blocking_call_in_an_otherwise_concurrent_answer_is_the_one_message(demo_result):
    # gather() of coroutines that call time.sleep: the blocking call is the cause, "ran sequentially"
    # only its symptom, and the same call is named once.
    message = _result(demo_result, "ex06_blocking").first_failure.message
    assert "ran sequentially" not in message, message
    assert message.count("time.sleep(0.15)") == 1 and message.count("\n") == 0, message


def test_messages_carry_no_traceback_unless_asked(demo_result):
    for ex_result in demo_result.exercises:
        for test in ex_result.tests:
            assert "Traceback" not in test.message


def test_the_whole_misbehaving_lesson_finishes_within_its_time_limits(demo_result):
    # 1 s limits, two timeouts, one unstoppable test killed at 0.5 s + grace, plus start-ups.
    assert demo_result.elapsed < 30


# --- lesson 03_diagnose: the async mistakes getting-started promises to explain -----------------------


@pytest.fixture(scope="module")
def diagnose_result():
    return run_lesson(Course(FIXTURE_COURSE).lesson("03"))


def _messages(result, ex_id):
    return [t.message for t in _result(result, ex_id).tests]


def test_a_hang_on_an_await_names_the_line_each_pending_task_waits_on(diagnose_result):
    # Both ways a test can give up on a stuck await: the test's own `within(...)` and the time limit.
    waiting = "waiting at ex01_stuck_tasks.py line 5, in wait_for_signal(): `await event.wait()`"
    within, limit = _messages(diagnose_result, "ex01_stuck_tasks")
    for message in (within, limit):
        assert message.count(waiting) == 2, message  # the two tasks gather() waits for
        assert "ex01_stuck_tasks.py line 11, in start_both()" in message, message
    assert within.startswith("start_both did not finish within 0.3 s."), within
    assert "timed out after 1 s" in limit, limit


def test_after_one_test_of_an_exercise_hangs_the_others_are_not_run(diagnose_result):
    loops = _result(diagnose_result, "ex02_busy_loops")
    first, *rest = loops.tests
    assert "timed out after 1 s" in first.message and "spin()" in first.message, first.message
    assert [t.message for t in rest] == ["not run: an earlier test of this exercise hung"] * 2
    assert all(t.outcome == "failed" for t in rest) and loops.score == 0
    # One limit waited out, not three (before: 3.1 s here, 9.1 s at a 3 s limit).
    assert loops.seconds < 2.5, loops.seconds


def test_a_test_that_could_not_be_interrupted_spares_the_rest_of_its_exercise(diagnose_result):
    # The runner killed the process: the exercise's next test is not run in a fresh one to hang again.
    killed, second = _result(diagnose_result, "ex07_unstoppable_twice").tests
    assert "could not be interrupted" in killed.message, killed.message
    assert second.message == "not run: an earlier test of this exercise hung", second.message


def test_other_exercises_are_graded_normally_after_a_hang(diagnose_result):
    ok = _result(diagnose_result, "ex06_ok")
    assert ok.passed and ok.score == 1
    assert "not run" not in " ".join(_messages(diagnose_result, "ex05_sequential"))


def test_a_forgotten_await_is_named_with_its_line(diagnose_result):
    message = _result(diagnose_result, "ex03_forgotten_await").first_failure.message
    assert "Forgotten `await`: fetch() was called on ex03_forgotten_await.py line 10" in message, message
    assert "`return [fetch(i) for i in range(n)]`" in message, message


def test_asyncio_run_inside_a_coroutine_is_explained(diagnose_result):
    message = _result(diagnose_result, "ex04_nested_run").first_failure.message
    assert "asyncio.run() was called inside a coroutine (at ex04_nested_run.py line 10" in message, message
    assert "use `await` instead: `await fetch(i)`" in message, message
    assert "never awaited" not in message and "Forgotten" not in message, message


def test_a_sequential_answer_is_told_the_measured_time(diagnose_result):
    # A really sequential answer (one await after another, nothing blocking): the measured times, and no
    # stale "never awaited" note left over from the exercise before it.
    message = _result(diagnose_result, "ex05_sequential").first_failure.message
    assert message.startswith("fetch_all ran sequentially: 4 calls of 0.15 s took"), message
    assert "→" not in message, message
