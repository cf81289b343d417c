"""awaitlings.testing's shared checks and services: the names lessons import keep working, timing bars,
and a Redis a test can take down and bring back."""

from __future__ import annotations

import shutil
import socket

import pytest

import awaitlings.testing as testing
from awaitlings.testing import ExerciseProblem, Gauge, RedisServer, expect_waves, within

PUBLIC_BEFORE_THE_SPLIT = ["ExerciseProblem", "fail", "load", "need", "Stopwatch", "expect_concurrent", "target_root",
                           "lesson_root", "free_port", "wait_for_port", "await_port", "ServerProcess"]


def test_every_name_lessons_imported_before_the_split_is_still_there():
    assert all(hasattr(testing, name) for name in PUBLIC_BEFORE_THE_SPLIT)
    assert set(testing.__all__) <= set(dir(testing))


def test_waves_pass_bounded_concurrency_and_fail_sequential_or_skipped_waits():
    expect_waves(0.21, calls=8, each=0.1, at_once=4, what="fetch")  # two waves of 0.1 s
    with pytest.raises(ExerciseProblem, match=r"fetch ran sequentially: 8 requests of 0.10 s took 0.80 s"):
        expect_waves(0.8, calls=8, each=0.1, at_once=4, what="fetch", unit="requests")
    with pytest.raises(ExerciseProblem, match="were the calls really made"):
        expect_waves(0.01, calls=8, each=0.1, at_once=4, what="fetch")
    expect_waves(0.01, calls=8, each=0.1, at_once=4, what="fetch", too_fast=False)


async def test_within_fails_in_words_but_lets_the_learners_own_timeout_through():
    import asyncio

    with pytest.raises(ExerciseProblem, match=r"^slow\(\) did not finish within 0.05 s\. Hurry\."):
        await within(0.05, asyncio.sleep(1), "slow()", "Hurry.")

    async def own_timeout():
        raise TimeoutError("mine")

    with pytest.raises(TimeoutError, match="mine"):
        await within(1, own_timeout(), "own()")


def test_a_gauge_counts_calls_at_once():
    gauge = Gauge()
    with gauge, gauge:
        pass
    with gauge:
        pass
    assert gauge.peak == 2 and gauge.now == 0


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_a_private_redis_can_go_down_and_come_back_on_the_same_port():
    def ping(port: int) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16)

    with RedisServer() as redis:
        assert ping(redis.port) == b"+PONG\r\n"
        redis.stop()
        with pytest.raises(OSError):
            ping(redis.port)
        redis.start()
        assert ping(redis.port) == b"+PONG\r\n" and redis.url == f"redis://127.0.0.1:{redis.port}/0"
    assert not redis.running
