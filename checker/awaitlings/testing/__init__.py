"""Helpers for lesson tests, like `channels.testing` for Channels: import them from here.

    core.py       load(the learner's module), need(a name in it), fail(a sentence): ExerciseProblem;
                  status("starting a Celery worker"): what a slow check is doing, shown after a second
    timing.py     Stopwatch, expect_concurrent, expect_waves (bounded concurrency), Gauge (calls at
                  once), within (a deadline that fails in words), CPU time: checks a busy machine can't fool;
                  record_measurement (a measured number for the learner's TIL draft; the helpers call it)
    ports.py      free_port, wait_for_port, await_port
    services.py   ServerProcess (a real server on loopback), RedisServer (redis_server.py: stoppable),
                  the browser; `unavailable` skips locally and fails under CI
    celery.py, beat.py   real Celery workers and beat processes for lessons 12-18 (CeleryWorker, CeleryBeat)
    nginx.py, mail.py    an nginx in front of the servers; the mail a worker sent
    migrations.py expect_migrations_match: the migrations still describe the models (for lessons whose
                  checks build the test database from the models)
    websocket.py  one WebSocket test client for every Channels lesson (in-process or a real server)
    fixtures.py   the fixtures every lesson gets (the plugin registers it): redis_url, private_redis,
                  chromium_path, target_folder, ws, fresh_channel_layer, within

Every failure is an `ExerciseProblem` whose message is shown to the learner as is, so write it as a
sentence: what was expected, what happened. Nothing here imports the grading package."""

from __future__ import annotations

from .core import ExerciseProblem, fail, lesson_root, load, need, status, target_root
from .migrations import expect_migrations_match
from .ports import await_port, free_port, wait_for_port
from .services import (
    RedisServer,
    ServerProcess,
    find_chromium,
    log_file,
    need_redis_server,
    redis_binary,
    unavailable,
)
from .timing import (
    CpuHere,
    Gauge,
    Stopwatch,
    cpu_cost,
    cpu_here,
    expect_concurrent,
    expect_waves,
    record_measurement,
    within,
)
from .websocket import WebSocketClient, WebSocketClients

__all__ = [
    "ExerciseProblem",
    "fail",
    "status",
    "load",
    "need",
    "Stopwatch",
    "record_measurement",
    "expect_concurrent",
    "expect_waves",
    "Gauge",
    "within",
    "CpuHere",
    "cpu_here",
    "cpu_cost",
    "target_root",
    "expect_migrations_match",
    "lesson_root",
    "free_port",
    "wait_for_port",
    "await_port",
    "ServerProcess",
    "log_file",
    "RedisServer",
    "redis_binary",
    "need_redis_server",
    "find_chromium",
    "unavailable",
    "WebSocketClient",
    "WebSocketClients",
]
