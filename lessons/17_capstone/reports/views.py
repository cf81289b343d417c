"""Report endpoints. POST /api/reports/ is exercise 1 (imported when called, so a broken exercise file
breaks that endpoint only); status and download are course-owned."""

import inspect

from asgiref.sync import sync_to_async
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .models import Report


@require_POST
async def create_report(request):
    from ex01_accept_report import accept_report

    if inspect.iscoroutinefunction(accept_report):
        return await accept_report(request)
    return await sync_to_async(accept_report)(request)


def describe(report: Report) -> dict:
    done = report.status == Report.DONE and report.file
    return {"id": report.pk, "status": report.status, "percent": report.percent,
            "url": reverse("report_download", args=[report.pk]) if done else None,
            "created": report.created_at.isoformat()}


@require_GET
async def report_status(request, pk: int):
    """The polling fallback (the seed's checklist: when the channel layer is down, poll over HTTP)."""
    user = await request.auser()
    report = await Report.objects.filter(pk=pk, user_id=user.pk).afirst() if user.is_authenticated else None
    if report is None:
        return JsonResponse({"error": "no such report"}, status=404)
    return JsonResponse(describe(report))


@require_GET
async def download_report(request, pk: int):
    """Only the owner may download; the file is read through the storage API (on S3 you would redirect to
    a presigned URL instead)."""
    user = await request.auser()
    report = await Report.objects.filter(pk=pk, user_id=user.pk, status=Report.DONE).afirst() \
        if user.is_authenticated else None
    if report is None or not report.file:
        raise Http404("no such report")
    content = await sync_to_async(read_file)(report)  # small files: one read, no sync iterator under ASGI
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{report.pk}.pdf"'
    return response


def read_file(report: Report) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()
