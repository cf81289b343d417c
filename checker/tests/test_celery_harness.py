"""The Celery harness (awaitlings.testing.celery): real worker processes that are ready when they say so,
stop without leaving a process behind, and turn a learner's misbehaving task into one sentence."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from awaitlings import warm
from awaitlings.course import Course
from awaitlings.runner import run_lesson
from awaitlings.testing.celery import CeleryWorker
from awaitlings.testing.redis_server import RedisServer

from .conftest import private_warm_server

CELERY_COURSE = Path(__file__).parent / "fixtures" / "celery_course"
LESSON = CELERY_COURSE / "lessons" / "01_celery_demo"

pytestmark = pytest.mark.skipif(not shutil.which("redis-server") and not os.environ.get("CI"),
                                reason="needs redis-server")


def _celery_processes() -> set[int]:
    """Worker processes of this fixture course, wherever they were started from."""
    found = subprocess.run(["pgrep", "-f", "celery -A celeryapp worker"], capture_output=True, text=True).stdout
    return {int(pid) for pid in found.split()}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.fixture(scope="module", params=["fresh", "warm"])
def demo_result(request):
    before = _celery_processes()
    lesson = Course(CELERY_COURSE).lesson("01")
    if request.param == "fresh":
        result = run_lesson(lesson)
    else:
        with private_warm_server(CELERY_COURSE) as path:
            result = run_lesson(lesson, launch=warm.launcher(path))
    leftovers = {pid for pid in _celery_processes() - before if _alive(pid)}
    return result, leftovers


def _exercise(result, ex_id):
    return next(e for e in result.exercises if e.exercise.id == ex_id)


def test_a_working_task_passes_beside_misbehaving_ones(demo_result):
    result, _ = demo_result
    assert _exercise(result, "ex01_ok").passed


@pytest.mark.parametrize("ex_id, expected", [
    ("ex02_import_crash", "could not start: ZeroDivisionError: division by zero at ex02_import_crash.py line 3: "
                          "`RATIO = 1 / 0`"),
    ("ex03_blocks", "ex03_blocks.wait_forever did not finish within 1 s (state: PENDING). The worker"),
    ("ex04_unregistered", "doesn't know the task 'ex04_unregistered.shout'"),
])
def test_each_misbehaving_task_gets_a_specific_message(demo_result, ex_id, expected):
    result, _ = demo_result
    outcome = _exercise(result, ex_id)
    message = outcome.first_failure.message if outcome.first_failure else outcome.problem
    assert outcome.score == 0 and expected in message, message


def test_a_blocked_task_is_reported_within_the_time_limit(demo_result):
    result, _ = demo_result
    blocked = _exercise(result, "ex03_blocks").first_failure
    assert "received it and is still running it" in blocked.message
    assert blocked.duration < 6, f"took {blocked.duration:.1f} s, past the 6 s limit"


def test_a_check_leaves_no_worker_process_behind(demo_result):
    _, leftovers = demo_result
    assert not leftovers, f"worker processes left running: {sorted(leftovers)}"


@pytest.fixture
def redis(tmp_path):
    with RedisServer(workdir=tmp_path) as server:
        yield server


def _worker(redis, **options) -> CeleryWorker:
    env = {"REDIS_URL": redis.url, "CELERY_BROKER_URL": redis.url, "CELERY_RESULT_BACKEND": redis.url}
    return CeleryWorker("celeryapp", cwd=LESSON, env=env, args=["--include", "ex01_ok"], **options)


def _send_add(redis, a, b):
    """Send ex01_ok.add from this process (the app reads REDIS_URL when first imported)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from ex01_ok import add; "
            "print(add.delay(int(sys.argv[2]), int(sys.argv[3])).get(timeout=10))")
    out = subprocess.run([sys.executable, "-c", code, str(LESSON), str(a), str(b)], capture_output=True, text=True,
                         env={**os.environ, "REDIS_URL": redis.url}, timeout=30)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def test_a_worker_is_ready_when_it_says_so_and_lists_what_it_consumes(redis):
    with _worker(redis, concurrency=2) as worker:
        assert "ex01_ok.add" in worker.registered
        assert worker.consuming == ["celery"]
        assert len(worker.pool_pids()) == 2
        assert _send_add(redis, 20, 22) == 42


def test_stop_sends_sigterm_then_leaves_no_process(redis):
    worker = _worker(redis, concurrency=2).start().wait_ready()
    pids = [worker.process.pid, *worker.pool_pids()]
    worker.stop(grace=5)
    assert "Warm shutdown" in worker.output() or "warm shutdown" in worker.output().lower()
    worker.close()
    assert not [pid for pid in pids if _alive(pid)]


def test_kill_is_a_crash_and_the_worker_can_start_again(redis):
    worker = _worker(redis).start().wait_ready()
    first = [worker.process.pid, *worker.pool_pids()]
    worker.kill()
    assert not [pid for pid in first if _alive(pid)]
    worker.start().wait_ready()
    try:
        assert _send_add(redis, 1, 2) == 3
    finally:
        worker.close()


def test_redis_can_be_stopped_and_started_again_on_the_same_port(tmp_path):
    import redis as redis_py

    server = RedisServer(workdir=tmp_path).start()
    try:
        client = redis_py.Redis.from_url(server.url)
        assert client.ping()
        server.stop()
        with pytest.raises(redis_py.ConnectionError):
            redis_py.Redis.from_url(server.url).ping()
        server.start()
        assert redis_py.Redis.from_url(server.url).ping()
    finally:
        server.stop()
