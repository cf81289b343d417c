"""The lesson text's claims about examples.py, checked. (Course-owned: these tests belong to no
exercise, so `awaitlings check` skips them; plain `pytest lessons/01_sync_vs_async` runs them.)"""

import asyncio
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest

import examples
from fake_upstream import FakeUpstream, FetchError

S = 0.15  # one "cup of tea", in seconds (generous: the machine is shared)


async def timed(awaitable):
    started = time.perf_counter()
    async with asyncio.timeout(2):
        result = await awaitable
    return result, time.perf_counter() - started


def test_the_sync_version_blocks_for_the_whole_wait(capsys):
    started = time.perf_counter()
    assert examples.make_tea_sync("green", S) == "green"
    assert time.perf_counter() - started >= S
    assert capsys.readouterr().out.split() == ["green:", "start", "green:", "done"]


def test_calling_a_coroutine_function_without_await_runs_nothing(capsys):
    pot = examples.forgot_await()
    assert asyncio.iscoroutine(pot)
    assert capsys.readouterr().out.split() == ["coroutine"]


async def test_awaiting_one_after_another_adds_the_waits_up():
    _, elapsed = await timed(examples.one_by_one(S))
    assert elapsed >= 2 * S


async def test_gather_overlaps_the_waits_and_keeps_argument_order(capsys):
    result, elapsed = await timed(examples.together(S))
    assert result == ["green", "black"]
    assert S <= elapsed < 2 * S  # one after another could never beat 2 x S
    # The order in the lesson's event-loop table: both start, then both finish.
    assert capsys.readouterr().out.splitlines() == ["green: start", "black: start", "green: done", "black: done"]


async def test_time_sleep_inside_async_def_serialises_everything():
    result, elapsed = await timed(examples.together_but_blocked(S))
    assert result == ["green", "black"]
    assert elapsed >= 2 * S


async def test_taskgroup_returns_answers_in_order():
    upstream = FakeUpstream(delays={"/a": 0.02, "/b": 0.01})
    result, _ = await timed(examples.dashboard(upstream, ["/a", "/b"]))
    assert result == [upstream.answer("/a"), upstream.answer("/b")]


async def test_taskgroup_cancels_the_others_and_except_star_handles_the_group():
    upstream = FakeUpstream(delay=0.5, delays={"/prices": 0.01}, failing={"/prices"})
    result, elapsed = await timed(examples.dashboard_or_message(upstream, ["/menu", "/prices", "/stock"]))
    assert result == ["unavailable: /prices answered 503 Service Unavailable"]
    assert sorted(upstream.cancelled) == ["/menu", "/stock"] and not upstream.running
    assert elapsed < 0.25


async def test_gather_raises_at_once_but_leaves_the_others_running():
    upstream = FakeUpstream(delay=0.5, delays={"/prices": 0.01}, failing={"/prices"})
    with pytest.raises(FetchError):
        await timed(examples.gather_dashboard(upstream, ["/menu", "/prices", "/stock"]))
    assert sorted(upstream.running) == ["/menu", "/stock"]


async def test_a_background_task_is_kept_until_it_is_done():
    task = examples.start_in_background(asyncio.sleep(0.01, result="done"))
    assert task in examples.background_tasks
    async with asyncio.timeout(1):
        assert await task == "done"
    await asyncio.sleep(0)  # done callbacks run on the next loop iteration
    assert task not in examples.background_tasks


async def test_a_timeout_cancels_the_slow_call_and_gives_none():
    result, elapsed = await timed(examples.tea_within(0.02, 0.5))
    assert result is None and elapsed < 0.25
    result, _ = await timed(examples.tea_within(0.5, 0.01))
    assert result == "oolong"


async def test_swallowing_cancelled_error_makes_cancel_a_no_op():
    log = []
    task = asyncio.create_task(examples.poll_stubbornly(0.05, log, rounds=4))
    await asyncio.sleep(0.015)
    task.cancel()
    async with asyncio.timeout(1):
        await task  # no CancelledError: the task ran all its rounds anyway
    assert not task.cancelled() and log == ["cancel ignored"]


async def test_cancel_then_await_stops_the_task_and_runs_its_cleanup():
    log = []
    async with asyncio.timeout(1):
        assert await examples.start_and_stop(log) is True
    assert log[-1] == "closed" and log.count("poll") >= 1


def test_the_old_get_event_loop_style_is_on_its_way_out():
    # A fresh interpreter: this process's event loop policy has been used by the other tests.
    code = "import warnings, examples; warnings.simplefilter('error'); print(examples.old_style_main())"
    run = subprocess.run([sys.executable, "-c", code], cwd=Path(examples.__file__).parent,
                         capture_output=True, text=True, timeout=30)
    if sys.version_info >= (3, 14):
        assert "RuntimeError" in run.stderr
    elif sys.version_info >= (3, 12):
        assert "DeprecationWarning" in run.stderr
    else:
        assert run.stdout.split()[-1] == "sencha", run.stderr


def test_the_script_runs_under_asyncio_run(capsys):
    runpy.run_path(str(Path(examples.__file__)), run_name="__main__")
    out = capsys.readouterr().out
    for line in ("one by one:", "together:", "together, blocked:", "unavailable: /prices", "cancelled when"):
        assert line in out
