"""Exercise 3: at-least-once delivery. A worker killed mid-task (a pool process, or the whole worker)
loses no task, and the idempotent charge makes the redelivery charge nothing twice."""

import os
import runpy
import signal
import time

import pytest
from awaitlings.testing import fail, target_root

pytestmark = pytest.mark.django_db(transaction=True)


def _settings(**env) -> dict:
    """Your celery_settings.py as a worker started with `env` would read it."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return runpy.run_path(str(target_root() / "config" / "celery_settings.py"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_settings_make_delivery_at_least_once():
    conf = _settings(CELERY_VISIBILITY_TIMEOUT="7.5")
    if not conf.get("CELERY_TASK_ACKS_LATE"):
        fail("CELERY_TASK_ACKS_LATE is off: the worker acknowledges each message when the task *starts*, so "
             "a worker that dies mid-task takes the task with it.")
    if not conf.get("CELERY_TASK_REJECT_ON_WORKER_LOST"):
        fail("CELERY_TASK_REJECT_ON_WORKER_LOST is off: with acks_late alone, the main worker process still "
             "acknowledges a task whose pool process was killed (an OOM kill), and the task is lost.")
    if conf.get("CELERY_WORKER_PREFETCH_MULTIPLIER") != 1:
        fail(f"CELERY_WORKER_PREFETCH_MULTIPLIER is {conf.get('CELERY_WORKER_PREFETCH_MULTIPLIER')!r}: with late "
             "acks, every prefetched message is stuck in a dead worker until the visibility timeout. Use 1.")
    options = conf.get("CELERY_BROKER_TRANSPORT_OPTIONS") or {}
    vt = options.get("visibility_timeout")
    if vt is None:
        fail("CELERY_BROKER_TRANSPORT_OPTIONS has no visibility_timeout: the Redis default is 1 hour, so the "
             "messages of a crashed worker come back an hour later.")
    if float(vt) != 7.5:
        fail(f"With CELERY_VISIBILITY_TIMEOUT=7.5 in the environment, the visibility timeout should be 7.5, "
             f"but it is {vt!r}: read it from the environment (float), default 3600.")
    if _settings().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout") not in (3600, 3600.0):
        fail("Without CELERY_VISIBILITY_TIMEOUT the visibility timeout should default to 3600 s.")
    for name, want in (("CELERY_TASK_TIME_LIMIT", 60), ("CELERY_TASK_SOFT_TIME_LIMIT", 50),
                       ("CELERY_WORKER_MAX_TASKS_PER_CHILD", 1000)):
        if conf.get(name) != want:
            fail(f"{name} should be {want}, but it is {conf.get(name)!r}.")
    if not conf.get("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", 0) > 0:
        fail("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT is 0 (off): on a cold shutdown, running tasks are cut off "
             "at once and their messages wait for the visibility timeout. Give them 10 s.")


def _needs_late_acks():
    from django.conf import settings

    if not getattr(settings, "CELERY_TASK_ACKS_LATE", False):
        fail("Killed mid-task, the worker took the task with it: with early acks (Celery's default) the "
             "broker forgot each message when its task started, so there is nothing to redeliver. "
             "(The test doesn't wait for what can't come back.)")


def test_pool_processes_killed_mid_charge_lose_nothing_and_charge_nothing_twice(
        worker, provider, orders, charges, wait_until):
    _needs_late_acks()
    from payments.tasks import charge

    ids = orders(12)
    results = {order: charge.delay(order) for order in ids}
    killed: list[tuple[int, int]] = []
    deadline = time.monotonic() + 6
    while len(killed) < 3 and time.monotonic() < deadline:
        running = {pid: order for pid, order in provider.inflight().items() if pid in worker.pool_pids()}
        if running:
            pid, order = next(iter(running.items()))
            os.kill(pid, signal.SIGKILL)  # an OOM kill, mid-charge
            provider.store().hdel("provider:inflight", pid)
            killed.append((pid, order))
        time.sleep(0.005)
    assert len(killed) >= 3, f"the test could kill only {len(killed)} pool process(es) mid-charge"
    wait_until(lambda: all(r.ready() for r in results.values()), timeout=8)
    got = charges(ids)
    lost = [o for o, n in got.items() if n == 0]
    twice = [o for o, n in got.items() if n > 1]
    if lost:
        states = {o: results[o].state for o in lost}
        fail(f"{len(lost)} of {len(ids)} orders were never charged (task states {states}): the pool process "
             f"charging them was SIGKILLed ({len(killed)} kills) and their messages never came back. A killed "
             "pool process is acked by the main worker process unless told to reject the message instead.")
    if twice:
        fail(f"Orders {twice} were charged twice: a redelivered charge ran again after a crash.")
    assert all(r.successful() for r in results.values()), "every charge task should end in SUCCESS"
