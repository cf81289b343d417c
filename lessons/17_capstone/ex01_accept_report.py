"""Exercise 1: answer "PDF 생성" at once with 202 Accepted, and let a worker make the PDF.

The page's button sends POST /api/reports/ (with the session cookie and the CSRF token); the course's
URL routes it to `accept_report(request)`. Rendering a PDF takes seconds: a request must not wait for it.

What the page expects from you:
- nobody logged in: 401 with a JSON {"error": ...}, and nothing created or queued;
- otherwise: a Report row for request.user (it starts "queued"), the task `render_report` sent with the
  report's id (settings route it to the `reports` queue), and right away a 202 response with the JSON
  {"id": ..., "status": "queued", "status_url": ...} and a Location header, both the report's status URL
  (`reverse("report_status", args=[id])`, the page polls it when the WebSocket is down).
"""

from asgiref.sync import sync_to_async
from django.http import JsonResponse

from reports.models import Report
from reports.tasks import render_report


async def accept_report(request):
    user = await request.auser()
    # TODO: refuse a visitor who isn't logged in (401, JSON error) before creating anything.
    report = await Report.objects.acreate(user=user)
    # TODO: this runs the whole task inside the request (the user waits for the PDF, in this process).
    #       Send it to a worker instead, and answer 202 with the status URL (body and Location header).
    await sync_to_async(render_report)(report.pk)
    return JsonResponse({"id": report.pk, "status": "done"})
