"""awaitlings.testing.beat: a real `celery beat` starts (ready on its log), sends on schedule, keeps its
state out of the served folder, stops (or is killed), and leaves no process behind."""

from __future__ import annotations

import os
import shutil

import pytest

from awaitlings.testing import ExerciseProblem
from awaitlings.testing.beat import CeleryBeat
from awaitlings.testing.redis_server import RedisServer

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")

TINY_APP = '''
import os
from celery import Celery

app = Celery("tiny", broker=os.environ["REDIS_URL"])
app.conf.beat_schedule = {"tick": {"task": "tiny.tick", "schedule": 0.2}}
'''


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    (tmp_path / "tinyapp.py").write_text(TINY_APP)
    monkeypatch.setenv("AWAITLINGS_SCRATCH", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    with RedisServer(workdir=tmp_path) as redis:
        yield tmp_path, {"REDIS_URL": redis.url}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie (exited, not yet reaped by its parent) counts as gone too.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1].startswith("Z")


def test_beat_starts_sends_and_stops_leaving_nothing_behind(tiny):
    folder, env = tiny
    with CeleryBeat("tinyapp", cwd=folder, env=env) as beat:
        beat.wait_sent("tick", count=2, timeout=10)
        pid = beat.process.pid
        assert beat.running
    assert _gone(pid), "beat is still running after the block"
    assert beat.sent()["tick"] >= 2, "the log should still be readable after the block"
    assert beat.schedule_file.parent.parent == folder / "scratch", beat.schedule_file
    assert any(beat.schedule_file.parent.iterdir()), "beat wrote no state file"
    assert not list(folder.glob("celerybeat-schedule*")), "beat wrote its state into the served folder"


def test_a_killed_beat_is_gone_and_can_start_again_on_the_same_state(tiny):
    folder, env = tiny
    beat = CeleryBeat("tinyapp", cwd=folder, env=env)
    with beat:
        beat.wait_sent("tick", count=1)
        first = beat.process.pid
        beat.kill()
        assert _gone(first)
        beat.start().wait_ready()
        beat.wait_sent("tick", count=1)
        second = beat.process.pid
    assert _gone(second)


def test_a_beat_that_cannot_start_fails_in_one_sentence(tiny):
    folder, env = tiny
    (folder / "broken.py").write_text("raise RuntimeError('no app here')\n")
    with pytest.raises(ExerciseProblem) as problem:
        with CeleryBeat("broken", cwd=folder, env=env, ready_timeout=15):
            pass
    assert "beat" in str(problem.value) and "no app here" in str(problem.value), str(problem.value)
