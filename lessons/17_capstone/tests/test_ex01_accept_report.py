"""Exercise 1: POST /api/reports/ answers 202 Accepted at once and a worker makes the PDF."""

import asyncio
import json
import time

import pytest
from awaitlings.testing import fail, load

RENDER = "reports.tasks.render_report"


@pytest.fixture
def sent():
    """Every task message this process publishes: (task name, args)."""
    from celery.signals import after_task_publish

    messages = []

    def record(sender=None, body=None, **_):
        messages.append((sender, list(body[0]) if body else None))

    after_task_publish.connect(record, weak=False)
    yield messages
    after_task_publish.disconnect(record)


def post(client, **headers):
    load("ex01_accept_report")  # a broken file: one sentence instead of a 500 page
    return client.post("/api/reports/", **headers)


@pytest.mark.django_db
def test_a_logged_in_post_is_answered_202_with_a_status_url_and_the_task_is_queued(client, people, sent):
    from django.urls import reverse

    from reports.models import Report

    client.force_login(people["alice"].user)
    response = post(client)
    if response.status_code != 202:
        fail(f"Expected 202 Accepted (the report is queued, not made yet), got {response.status_code} "
             f"{response.content[:200]!r}.")
    renders = [args for name, args in sent if name == RENDER]
    report = Report.objects.filter(user=people["alice"].user).last()
    if report is None:
        fail("The response was 202, but no Report row exists for the user who asked.")
    if renders != [[report.pk]]:
        fail(f"Expected one {RENDER} task sent with the new report's id [{report.pk}] for a worker; "
             f"the view sent {renders or 'none'}." + (" Calling the task like a function runs it here, in "
                                                      "the request, instead." if not renders else ""))
    try:
        body = json.loads(response.content)
    except ValueError:
        fail(f"Expected a JSON body with id, status and status_url, got {response.content[:120]!r}.")
    url = reverse("report_status", args=[report.pk])
    want = {"id": report.pk, "status": "queued", "status_url": url}
    got = {key: body.get(key) for key in want}
    if got != want:
        fail(f"Expected the JSON body to contain {want}, got {body}.")
    if response.get("Location") != url:
        fail(f"Expected a Location header with the status URL {url} (202 says: ask there), "
             f"got {response.get('Location')!r}.")


@pytest.mark.django_db
def test_a_visitor_who_is_not_logged_in_gets_401_and_nothing_is_created_or_queued(client, people, sent):
    from reports.models import Report

    try:
        response = post(client)
    except Exception as error:  # noqa: BLE001 - the test client raises the view's exception
        fail(f"A POST without a login crashed the view: {type(error).__name__}: {error}. Check who is asking "
             "before creating anything.")
    if response.status_code != 401:
        fail(f"Expected 401 for a visitor who isn't logged in, got {response.status_code}.")
    try:
        json.loads(response.content)
    except ValueError:
        fail(f"The page reads JSON: expected a JSON body with an error, got {response.content[:120]!r}.")
    if Report.objects.exists() or any(name == RENDER for name, _ in sent):
        fail("A visitor who isn't logged in got a Report created or a task queued: refuse before doing anything.")


@pytest.mark.django_db(transaction=True)
async def test_through_a_real_server_the_202_comes_first_and_a_worker_takes_the_report(
        web, worker, people, csrf_headers):
    import httpx

    from reports.models import Report

    load("ex01_accept_report")
    alice = people["alice"]
    async with httpx.AsyncClient(base_url=web.url, headers={"Cookie": alice.cookie}, timeout=10) as http:
        started = time.perf_counter()
        response = await http.post("/api/reports/", headers=csrf_headers)
        answered = time.perf_counter() - started
        if response.status_code != 202:
            fail(f"Through uvicorn, expected 202 Accepted, got {response.status_code}: {response.text[:200]}")
        report_id = response.json().get("id")
        deadline = time.monotonic() + 8
        report = None
        while time.monotonic() < deadline:
            report = await Report.objects.filter(pk=report_id).afirst()
            if report and report.worker:
                break
            await asyncio.sleep(0.05)
        if report is None or not report.worker:
            fail(f"The server answered 202 in {answered:.2f} s, but no worker took report {report_id} within 8 s "
                 f"(status {report.status if report else 'missing'}). Was the task sent (`.delay`)?")
        if worker.name not in report.worker:
            fail(f"Report {report_id} was taken by {report.worker!r}, not by the Celery worker process.")
        status = await http.get(response.headers.get("Location", "/missing"))
        if status.status_code != 200 or status.json().get("id") != report_id:
            fail(f"The Location header should lead to the report's status; it gave {status.status_code}.")
