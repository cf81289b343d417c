"""Exercise 4: start a slow job without making the browser wait: 202 Accepted and a status URL."""

import json

from celery.result import AsyncResult
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jobs.tasks import crunch

MAX_STEPS = 200


def index(request):
    return render(request, "jobs/index.html", {"max_steps": MAX_STEPS})


# --8<-- [start:start_job]
@require_POST
def start_job(request):
    try:
        steps = json.loads(request.body)["steps"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'send JSON like {"steps": 10}'}, status=400)
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= MAX_STEPS:
        return JsonResponse({"error": f"steps must be a whole number from 1 to {MAX_STEPS}"}, status=400)
    result = crunch.delay(steps)  # only the message is sent now: the worker does the work
    status_url = reverse("job_status", args=[result.id])
    response = JsonResponse({"task_id": result.id, "status_url": status_url}, status=202)
    response["Location"] = status_url
    return response
# --8<-- [end:start_job]


# --8<-- [start:job_status]
@require_GET
def job_status(request, task_id):
    result = AsyncResult(task_id)  # reads the state from the result backend; never waits (no .get() here)
    state = result.state  # read once: once a job is done, `result` keeps its outcome, so .result agrees
    body = {"task_id": task_id, "state": state}
    if state == "SUCCESS":
        body["result"] = result.result
    elif state == "FAILURE":
        body["error"] = repr(result.result)
    return JsonResponse(body)
# --8<-- [end:job_status]
