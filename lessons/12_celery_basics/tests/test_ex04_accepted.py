"""Exercise 4: POST answers 202 Accepted with a status URL at once; the status URL reports the worker's
progress and result without ever waiting for it."""

import json
import random
import time

import pytest
from awaitlings.testing import fail, load

JOB = "jobs.tasks.crunch"
STEP = 0.05  # jobs.tasks.STEP_SECONDS


def _post(client, body, raw=False):
    return client.post("/api/jobs/", data=body if raw else json.dumps(body), content_type="application/json")


@pytest.fixture
def client():
    load("jobs.views")  # a syntax error in the view becomes one sentence, not a URLconf traceback
    from django.test import Client

    return Client(raise_request_exception=False)  # a crash in the view is a 500 the test explains


def _accepted(client, steps):
    started = time.monotonic()
    response = _post(client, {"steps": steps})
    took = time.monotonic() - started
    if response.status_code != 202:
        fail(f"POST /api/jobs/ answered {response.status_code} after {took:.2f} s; expected 202 Accepted at once "
             f"(the job takes {steps * STEP:.1f} s on the worker). Body: {response.content[:200]!r}")
    body = response.json()
    for key in ("task_id", "status_url"):
        if key not in body:
            fail(f"The 202 answer should carry {key!r}; got {body}.")
    if response.get("Location") != body["status_url"]:
        fail(f"The Location header should be the status URL ({body['status_url']}), got {response.get('Location')!r}.")
    return body, started


def test_post_answers_202_with_a_status_url_before_the_job_is_done(worker, client):
    steps = random.randint(12, 16)
    body, _ = _accepted(client, steps)
    status = client.get(body["status_url"]).json()
    if status.get("state") == "SUCCESS":
        fail("The job was already done when the first status request came: did the request run it?")
    assert status.get("state") in ("PENDING", "STARTED", "RECEIVED"), f"unexpected first state {status}"


def test_the_status_url_reports_the_workers_result(worker, client):
    steps = random.randint(3, 8)
    body, started = _accepted(client, steps)
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        status = client.get(body["status_url"]).json()
        if status.get("state") in ("SUCCESS", "FAILURE"):
            break
        time.sleep(0.05)
    else:
        fail(f"The status URL still said {status} after 6 s.")
    want = {"steps": steps, "sum_of_squares": sum(i * i for i in range(steps))}
    if status.get("state") != "SUCCESS" or status.get("result") != want:
        fail(f"When the worker is done the status should be SUCCESS with result {want}; it was {status}.")
    assert status.get("task_id") == body["task_id"], f"the status should name its task: {status}"


def test_the_status_url_answers_at_once_while_the_job_runs(worker, client):
    body, _ = _accepted(client, 16)  # 0.8 s of work
    started = time.monotonic()
    status = client.get(body["status_url"]).json()
    took = time.monotonic() - started
    if took > 0.5 or status.get("state") == "SUCCESS":
        fail(f"The status request took {took:.2f} s and said {status.get('state')}: it waited for the job. "
             "Read the state (AsyncResult(task_id).state); never .get() in a view.")


@pytest.mark.parametrize("bad", ['{"steps": "ten"}', '{"steps": 0}', '{"steps": 201}', '{"steps": 100000}', '{}',
                                 'steps=3', '{"steps": 2.5}', '{"steps": true}'])
def test_bad_input_is_a_400_with_an_error(worker, client, bad, published_tasks):
    _accepted(client, 1)  # first things first: good input is queued (and the job never runs in the request)
    response = _post(client, bad, raw=True)
    if response.status_code != 400:
        fail(f"POST /api/jobs/ with {bad} answered {response.status_code}; expected 400 with an 'error'.")
    assert "error" in response.json(), f"the 400 answer should explain itself in 'error': {response.content!r}"
    assert len(published_tasks.of(JOB)) == 1, "a job was queued for bad input"
