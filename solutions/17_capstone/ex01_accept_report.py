"""Exercise 1: answer "PDF 생성" at once with 202 Accepted, and let a worker make the PDF."""

from asgiref.sync import sync_to_async
from django.http import JsonResponse
from django.urls import reverse

from reports.models import Report
from reports.tasks import render_report


# --8<-- [start:solution]
async def accept_report(request):
    user = await request.auser()  # the async way to read the session's user
    if not user.is_authenticated:
        return JsonResponse({"error": "Log in to ask for a report."}, status=401)
    # Autocommit: the row is committed when acreate returns, so the worker can read it (inside
    # transaction.atomic you would send with delay_on_commit instead).
    report = await Report.objects.acreate(user=user)
    # Publishing is a blocking network call to the broker: a thread, so this event loop keeps serving.
    await sync_to_async(render_report.delay, thread_sensitive=False)(report.pk)
    status_url = reverse("report_status", args=[report.pk])
    response = JsonResponse({"id": report.pk, "status": report.status, "status_url": status_url}, status=202)
    response["Location"] = status_url  # 202 Accepted: "taken, not done; ask there"
    return response
# --8<-- [end:solution]
