"""Helpers for lesson tests, like `channels.testing` for Channels: import them from here.

    core.py       load(the learner's module), need(a name in it), fail(a sentence): ExerciseProblem
    timing.py     Stopwatch, expect_concurrent, expect_waves (bounded concurrency), Gauge (calls at
                  once), within (a deadline that fails in words), CPU time: checks a busy machine can't fool
    services.py   free ports, ServerProcess (a real server on loopback), RedisServer (stoppable), the
                  browser; `unavailable` skips locally and fails under CI
    websocket.py  one WebSocket test client for every Channels lesson (in-process or a real server)
    fixtures.py   the fixtures every lesson gets (the plugin registers it): redis_url, private_redis,
                  chromium_path, target_folder, ws, fresh_channel_layer, within

Every failure is an `ExerciseProblem` whose message is shown to the learner as is, so write it as a
sentence: what was expected, what happened. Nothing here imports the grading package."""

from __future__ import annotations

from .core import ExerciseProblem, fail, lesson_root, load, need, target_root
from .services import (
    RedisServer,
    ServerProcess,
    await_port,
    find_chromium,
    free_port,
    need_redis_server,
    redis_binary,
    unavailable,
    wait_for_port,
)
from .timing import CpuHere, Gauge, Stopwatch, cpu_cost, cpu_here, expect_concurrent, expect_waves, within
from .websocket import WebSocketClient, WebSocketClients

__all__ = [
    "ExerciseProblem",
    "fail",
    "load",
    "need",
    "Stopwatch",
    "expect_concurrent",
    "expect_waves",
    "Gauge",
    "within",
    "CpuHere",
    "cpu_here",
    "cpu_cost",
    "target_root",
    "lesson_root",
    "free_port",
    "wait_for_port",
    "await_port",
    "ServerProcess",
    "RedisServer",
    "redis_binary",
    "need_redis_server",
    "find_chromium",
    "unavailable",
    "WebSocketClient",
    "WebSocketClients",
]
