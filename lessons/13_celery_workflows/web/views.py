"""Course-owned: the mini-project's page. Each button queues a workflow (your exercises 1 and 2) and
answers 202 Accepted with a status URL at once (lesson 12); the page polls it and lists the storage."""

import datetime as dt
from pathlib import Path

from celery.result import AsyncResult
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from alerts.tasks import with_alert
from reports.daily import daily_report
from reports.weekly import weekly_report


def stored_files() -> list[str]:
    root = Path(settings.STORAGE_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.pdf")) if root.exists() else []


def index(request):
    return render(request, "web/index.html", {"files": stored_files()})


def accepted(result) -> JsonResponse:
    url = reverse("task_status", args=[result.id])
    response = JsonResponse({"task_id": result.id, "status_url": url}, status=202)
    response["Location"] = url
    return response


@require_POST
def start_daily(request):
    day = dt.date.today().isoformat()
    return accepted(with_alert(daily_report(day)).apply_async())


@require_POST
def start_weekly(request):
    today = dt.date.today()
    year, week, _ = today.isocalendar()
    days = [(today - dt.timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    return accepted(weekly_report(f"{year}-W{week:02d}", days).apply_async())


@require_GET
def task_status(request, task_id):
    result = AsyncResult(task_id)
    state = result.state  # read once (lesson 12): a finished job's outcome is then kept on `result`
    body = {"task_id": task_id, "state": state, "files": stored_files()}
    if state == "SUCCESS":
        body["result"] = result.result
    elif state == "FAILURE":
        body["error"] = repr(result.result)
    return JsonResponse(body)


@require_GET
def stored(request, name):
    root = Path(settings.STORAGE_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404(name)
    return HttpResponse(path.read_text(encoding="utf-8"), content_type="text/plain; charset=utf-8")
