"""The report page and its HTTP API (course-owned).

GET  /                         the page: a button, a progress bar, a WebSocket to /ws/notify/
POST /api/reports/             {"steps": n} -> 202 {"task_id", "status_url"}: the way to start a job
                               when the WebSocket is down (the page normally asks over the socket)
GET  /api/reports/<task_id>/   {"task_id", "state", "percent", "result"?, "error"?}, at once: what the
                               page polls when it can't hear pushes (the source post's checklist E:
                               "fall back to HTTP polling while the channel layer is down")
"""

import json
import secrets

from celery.result import AsyncResult
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reports.tasks import build_report


def index(request):
    """Everyone gets a guest account in their session, so the socket knows whose pushes to deliver."""
    if not request.user.is_authenticated:
        user = get_user_model().objects.create_user(username=f"guest-{secrets.token_hex(4)}")
        login(request, user)
    return render(request, "reports/index.html", {"max_steps": settings.REPORT_MAX_STEPS})


@require_POST
def start_report(request):
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in first"}, status=401)
    try:
        steps = json.loads(request.body)["steps"]
    except (ValueError, KeyError, TypeError):
        steps = None
    if type(steps) is not int or not 1 <= steps <= settings.REPORT_MAX_STEPS:
        return JsonResponse({"error": f"steps must be a whole number from 1 to {settings.REPORT_MAX_STEPS}"},
                            status=400)
    result = build_report.delay(request.user.pk, steps)
    status_url = reverse("report_status", args=[result.id])
    response = JsonResponse({"task_id": result.id, "status_url": status_url}, status=202)
    response["Location"] = status_url
    return response


# --8<-- [start:status]
@require_GET
def report_status(request, task_id):
    # One read of the result backend. result.state and result.info are a fresh read each: a job that
    # finishes between two of them would show PROGRESS with the final result as its "progress".
    meta = AsyncResult(task_id).backend.get_task_meta(task_id)  # never waits for the job
    state, info = meta["status"], meta["result"]
    body = {"task_id": task_id, "state": state, "percent": 0}
    if state == "PROGRESS" and isinstance(info, dict):
        body["percent"] = info.get("percent", 0)  # what the task's update_state() stored
    elif state == "SUCCESS":
        body.update(percent=100, result=info)
    elif state == "FAILURE":
        body["error"] = repr(info)  # the task's exception, rebuilt by the backend
    return JsonResponse(body)
# --8<-- [end:status]
