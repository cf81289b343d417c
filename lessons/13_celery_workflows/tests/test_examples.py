"""Course-owned demos shown on the lesson page (run by `awaitlings verify` and CI, not by a learner's check):
why a task must never wait for another, and what a chord needs."""

import time

import pytest
from awaitlings.testing import fail
from awaitlings.testing.celery import wait_result


def test_a_task_that_waits_for_its_subtasks_deadlocks_a_one_process_worker_and_a_chord_does_not(
        celery_workers, side, trace, token):
    app, env, _ = side
    # --8<-- [start:deadlock]
    # One pool process, and build_weekly sent with a time limit of 1 s (soft) / 1.5 s (hard): with
    # production's 50/60 s the deadlock would last a minute. (The soft limit must be the lower one.)
    solo = celery_workers.start(concurrency=1, name="solo", env=env)
    days = [f"{token}-mon", f"{token}-tue"]
    started = time.monotonic()
    waiter = app.send_task("reports.tasks.build_weekly", args=[f"W-{token}", days],
                           soft_time_limit=1, time_limit=1.5)
    wait_result(waiter, solo, timeout=10, task="build_weekly", propagate=False)
    # --8<-- [end:deadlock]
    took = time.monotonic() - started
    if waiter.state != "FAILURE" or type(waiter.result).__name__ != "SoftTimeLimitExceeded":
        fail(f"build_weekly should end by its time limit (SoftTimeLimitExceeded), but it ended {waiter.state}: "
             f"{waiter.result!r}")
    if not 0.9 < took < 5:
        fail(f"The soft time limit is 1 s, yet build_weekly ended after {took:.2f} s.")
    # The days it waited for only run once the waiting process is gone.
    deadline = time.monotonic() + 5
    while len([e for e in trace(task="build_dataset") if e["label"] in days]) < len(days):
        if time.monotonic() > deadline:
            fail("The days build_weekly waited for never ran after it was killed.")
        time.sleep(0.02)
    # The fix on the same one-process worker: a chord. Nothing waits; the last day's worker sends the body.
    header = [app.signature("reports.tasks.build_dataset", args=[{"day": f"{token}-chord-{d}"}]) for d in "abc"]
    body = app.signature("reports.tasks.render_pdf", kwargs={"template": "weekly.html"})
    rendered = wait_result(_chord(app, header, body).apply_async(),
                           solo, timeout=5, task="the weekly chord")
    if rendered["labels"] != [f"{token}-chord-{d}" for d in "abc"]:
        fail(f"The chord's callback got {rendered['labels']}, expected the three days in order.")


def _chord(app, header, body):
    from celery import chord

    return chord(header, body, app=app)


def test_get_inside_a_task_raises_runtime_error(celery_worker, token):
    from reports.tasks import build_weekly_guarded

    result = build_weekly_guarded.delay([f"{token}-x"])
    wait_result(result, celery_worker, timeout=5, task="build_weekly_guarded", propagate=False)
    if not isinstance(result.result, RuntimeError) or "Never call result.get() within a task" not in str(result.result):
        fail(f"Expected Celery's guard (RuntimeError: Never call result.get() within a task!), got {result.result!r}")


def test_a_chord_without_a_result_backend_is_refused_before_anything_is_sent():
    from celery import Celery, group

    # --8<-- [start:no_backend]
    app = Celery("no_backend", broker="redis://127.0.0.1:1/0", set_as_current=False)  # no result backend
    day = app.signature("reports.tasks.build_dataset")
    render = app.signature("reports.tasks.render_pdf", kwargs={"template": "weekly.html"})
    with pytest.raises(NotImplementedError, match="Starting chords requires a result backend"):
        (group(day.clone(args=[{"day": d}]) for d in ["mon", "tue"]) | render).apply_async()
    # --8<-- [end:no_backend]


def test_the_page_answers_202_and_the_workflow_lands_in_storage(celery_worker, client, settings):
    from pathlib import Path

    response = client.post("/api/reports/daily/")
    assert response.status_code == 202, response.content
    status_url = response["Location"]
    deadline = time.monotonic() + 5
    while (state := client.get(status_url).json())["state"] != "SUCCESS":
        assert state["state"] in ("PENDING", "STARTED"), state
        assert time.monotonic() < deadline, f"the daily report is still {state['state']}"
        time.sleep(0.05)
    assert any(f.startswith("daily/") for f in state["files"]), state
    assert Path(settings.STORAGE_ROOT, state["files"][0]).read_text().startswith("%PDF-awaitlings")
    assert client.get("/").status_code == 200
