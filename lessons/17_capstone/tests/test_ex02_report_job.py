"""Exercise 2: in a worker, the report becomes a real PDF in storage, and the user hears progress and
"ready" with the download URL. Run on the run's real worker; listened to on the Redis channel layer."""

import asyncio
import io

import pytest
from awaitlings.testing import fail, load
from awaitlings.testing.celery import wait_result

CHECKLIST = "Launch checklist is ready for review"


@pytest.fixture
def report(people):
    """A report for alice, who wrote a message in #apollo: the PDF must show it."""
    from chat.models import Message
    from reports.models import Report
    from teams.models import Project

    load("ex02_report_job")  # here, not in the test's event loop: importing fpdf2 takes a while
    Message.objects.create(project=Project.objects.get(slug="apollo"), user=people["alice"].user, body=CHECKLIST)
    return Report.objects.create(user=people["alice"].user)


async def render_and_listen(report, worker, listen: bool = True) -> tuple[object, list[dict]]:
    """Send render_report for `report` to the worker, listening on its user's group meanwhile: the report
    as the worker left it, and every payload pushed to the user (`listen=False`: only the report)."""
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from realtime.bridge import user_group
    from reports.models import Report
    from reports.tasks import render_report

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(user_group(report.user_id), channel)
    result = await sync_to_async(render_report.delay)(report.pk)
    await sync_to_async(wait_result)(result, worker, timeout=10, task="render_report", propagate=False)
    done = await Report.objects.aget(pk=report.pk)
    if result.failed():
        fail(f"run_report raised in the worker: {done.error or result.result!r}")
    events = []
    # Everything was pushed before the task returned, so it is waiting on the layer already: drain it. Once
    # the last word (pdf_ready, or the task's pdf_failed) is in, anything sent after it would be here too,
    # so a short wait for more is enough; before that, the wait is longer (an event that never comes).
    finished = False
    while listen:
        try:
            event = await asyncio.wait_for(layer.receive(channel), 0.1 if finished else 0.3)
        except asyncio.TimeoutError:
            break
        events.append(event.get("data"))
        finished = finished or (isinstance(events[-1], dict) and events[-1].get("event") in ("pdf_ready", "pdf_failed"))
    await layer.group_discard(user_group(report.user_id), channel)
    return done, events


@pytest.mark.django_db(transaction=True)
async def test_the_worker_saves_a_real_pdf_of_the_users_data_through_the_storage_api(report, worker):
    from asgiref.sync import sync_to_async
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    done, _ = await render_and_listen(report, worker, listen=False)
    if not done.file:
        fail("After the task, report.file is empty: the PDF must be saved through the report's FileField (Django's "
             "storage API). A file written to the worker's own disk is invisible to the web servers and to S3.")
    if not await sync_to_async(default_storage.exists)(done.file.name):
        fail(f"report.file says {done.file.name!r}, but the storage has no such file.")
    content = await sync_to_async(lambda: done.file.open("rb").read())()
    if not content.startswith(b"%PDF"):
        fail(f"The stored file is not a PDF (it starts with {content[:8]!r}).")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for want in ("alice", CHECKLIST):
        if want not in text:
            fail(f"The PDF should show the user's data from the database ({want!r}); its text is: {text[:200]!r}")
    if done.status != "done" or done.finished_at is None:
        fail(f"After the PDF is stored the report should be done with finished_at set; it is "
             f"{done.status!r}, finished_at={done.finished_at}.")


@pytest.mark.django_db(transaction=True)
async def test_the_user_hears_the_progress_then_pdf_ready_with_a_download_url_that_works(report, worker, web, people):
    import httpx
    from django.urls import reverse

    done, events = await render_and_listen(report, worker)
    progress = [e for e in events if isinstance(e, dict) and e.get("event") == "pdf_progress"]
    ready = [e for e in events if isinstance(e, dict) and e.get("event") == "pdf_ready"]
    if len(progress) < 2:
        fail(f"Expected a pdf_progress event for each section render_pdf reports (the progress bar moves), "
             f"got {len(progress)}. Everything the user received: {events}")
    percents = [e.get("percent") for e in progress]
    if percents != sorted(percents) or any(e.get("report") != report.pk for e in progress):
        fail(f"Progress events should carry this report's id and rising percents; got {progress}.")
    url = reverse("report_download", args=[report.pk])
    if len(ready) != 1 or ready[0].get("url") != url or ready[0].get("report") != report.pk:
        fail(f"Expected one {{'event': 'pdf_ready', 'report': {report.pk}, 'url': {url!r}}} for the page's "
             f"download button; the user received {events}.")
    if events.index(ready[0]) < events.index(progress[-1]):
        fail("pdf_ready arrived before the last progress event: send it when everything is done.")
    async with httpx.AsyncClient(base_url=web.url, headers={"Cookie": people["alice"].cookie}) as http:
        response = await http.get(url)
    if response.status_code != 200 or not response.content.startswith(b"%PDF"):
        fail(f"The download URL, asked from a web server (another process), gave {response.status_code} "
             f"{response.content[:60]!r}: the file must be in the shared storage and the report done.")
