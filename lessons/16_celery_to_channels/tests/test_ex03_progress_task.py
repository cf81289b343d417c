"""Exercise 3: build_report pushes its progress after every step, while it runs; records it in the result
backend for the status URL (the polling fallback); and finishes even when the channel layer is down."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from awaitlings.testing import fail, load, need
from awaitlings.testing.celery import wait_result

NEEDED_BY = "Exercise 3"
STEP = 0.03  # settings.REPORT_STEP_SECONDS


def report_task():
    return need(load("reports.tasks"), "build_report", "value")


def expected(steps: int) -> dict:
    return {"rows": steps, "total": sum(i * i for i in range(steps))}


async def collect(listener, task_id: str, timeout: float) -> list[tuple[float, dict]]:
    """Every push of one job, with its arrival time, up to and including its done event."""
    events = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            at, message = await asyncio.wait_for(listener.queue.get(), deadline - time.monotonic())
        except TimeoutError:
            break
        data = message.get("data", {})
        if data.get("task_id") == task_id:
            events.append((at, data))
            if data.get("event") == "done":
                return events
    fail(f"The job's done event didn't reach the user's group within {timeout:g} s; it pushed "
         f"{[d for _, d in events] or 'nothing'}.")
    raise AssertionError("unreachable")


async def test_progress_is_pushed_step_by_step_while_the_job_runs(celery_worker, listen, group_of, new_user_id):
    build_report = report_task()
    uid, steps = new_user_id(), 8
    tab = await listen(group_of(uid, needed_by=NEEDED_BY))
    result = await sync_to_async(build_report.delay)(uid, steps)
    events = await collect(tab, result.id, timeout=4)
    progress = [(at, d) for at, d in events if d.get("event") == "progress"]
    percents = [d.get("percent") for _, d in progress]
    want = [round(100 * (i + 1) / steps) for i in range(steps)]
    if not progress:
        fail("Only the done event arrived: the browser's bar would sit at 0 % and jump to 100 % at the end. "
             "Push {\"event\": \"progress\", \"task_id\": ..., \"percent\": p} after every step.")
    if percents != want:
        fail(f"A job of {steps} steps should push the percents {want}, in order; it pushed {percents}.")
    done_at, done = events[-1]
    if done.get("result") != expected(steps):
        fail(f"The done event should carry the result {expected(steps)}; it was {done}.")
    lead = done_at - progress[0][0]
    if lead < 0.4 * (steps - 1) * STEP:  # a burst at the end arrives within a few ms
        fail(f"The first progress event arrived only {lead * 1000:.0f} ms before the done event, though the job "
             f"ran {steps} steps of {STEP * 1000:.0f} ms: the pushes came at the end, not as it happened. "
             "Push inside the loop, right after each step.")


def test_the_status_url_shows_the_progress_while_the_job_runs(celery_worker):
    from django.test import Client

    build_report = report_task()
    steps = 8
    result = build_report.delay(424242, steps)
    client, seen = Client(), []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = client.get(f"/api/reports/{result.id}/").json()
        seen.append((status["state"], status["percent"]))
        if status["state"] in ("SUCCESS", "FAILURE"):
            break
        time.sleep(0.02)
    wait_result(result, celery_worker, timeout=3, task="build_report")
    running = [p for state, p in seen if state == "PROGRESS"]
    if not running:
        fail(f"Polled every 20 ms, the status URL went {' -> '.join(dict.fromkeys(s for s, _ in seen))}, never "
             "PROGRESS: a page that lost its socket would show 0 % until the end. Record the percent in the result "
             "backend after every step (self.update_state).")
    if not any(0 < p < 100 for p in running) or running != sorted(running):
        fail(f"While the job ran, the status URL should show a percent that grows from above 0 to 100; it showed "
             f"{running}.")
    if seen[-1] != ("SUCCESS", 100):
        fail(f"When the job is done the status URL should say SUCCESS at 100 %; it said {seen[-1]}.")


@pytest.fixture(scope="module", autouse=True)
def layer_down_rig(request, redis_url):
    """A Redis for the channel layer alone (so a test can stop it while the broker stays up) and a worker
    whose layer it is, on a queue of its own. Started when this module starts, so the worker boots while
    the tests above run; the outage test waits for it. Stopped with the module (a learner's check does
    not wait for that: it answers once the last test's own fixtures are done)."""
    from awaitlings.testing.celery import CeleryWorker, django_db_active, worker_env
    from awaitlings.testing.redis_server import RedisServer

    layer = RedisServer().start()
    env = {**worker_env(redis_url, django_db_active(request)), "CHANNELS_REDIS_URL": layer.url}
    worker = CeleryWorker("config", queues=["layer-down"],
                          concurrency=1, name="layer-down", env=env).start()
    try:
        yield layer, worker
    finally:
        worker.stop(grace=0)  # every job's result was awaited: nothing left to finish
        worker.close()
        layer.stop()


async def test_when_the_channel_layer_goes_down_mid_job_the_job_still_finishes(layer_down_rig, listen, group_of,
                                                                                new_user_id):
    from channels_redis.core import RedisChannelLayer

    layer_redis, worker = layer_down_rig
    build_report = report_task()
    uid, steps = new_user_id(), 10
    group = group_of(uid, needed_by=NEEDED_BY)
    await sync_to_async(worker.wait_ready, thread_sensitive=False)()
    tab = await listen(group, layer=RedisChannelLayer(hosts=[layer_redis.url]))
    # Its own queue: the session's worker (whose layer is the run's Redis) must not take these jobs.
    result = await sync_to_async(build_report.apply_async)((uid, steps), queue="layer-down")
    try:  # once the job has pushed its first step (or should have), the channel layer's Redis dies
        await asyncio.wait_for(tab.queue.get(), 3 * STEP)
    except TimeoutError:
        pass
    layer_redis.stop()
    await sync_to_async(wait_result, thread_sensitive=False)(result, worker, timeout=5, task="build_report",
                                                              propagate=False)
    if result.failed():
        fail(f"The channel layer's Redis went down mid-job and the job FAILED ({result.result!r}). The report was "
             "fine; only a push failed. Catch the layer's errors around each push, and let the job finish: the "
             "page falls back to polling the status URL, which reads the result backend.")
    if result.result != expected(steps):
        fail(f"The job should still return {expected(steps)}; it returned {result.result!r}.")
    layer_redis.start()  # same port, empty: the worker must push again without a restart
    tab = await listen(group, layer=RedisChannelLayer(hosts=[layer_redis.url]))
    again = await sync_to_async(build_report.apply_async)((uid, 1), queue="layer-down")
    try:
        await asyncio.wait_for(tab.queue.get(), 3)
    except TimeoutError:
        fail("After the channel layer's Redis came back, a new job pushed nothing: the worker should push again "
             "as soon as the layer answers (don't remember the outage forever).")
    await sync_to_async(wait_result, thread_sensitive=False)(again, worker, timeout=3, task="build_report")
