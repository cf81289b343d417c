"""Exercise 4: start a slow job without making the browser wait: 202 Accepted and a status URL.

The page (GET /) POSTs {"steps": n} to /api/jobs/ and then polls the status URL it gets back. Right
now the job runs inside the request, so the browser waits for all of it, and there is no status.
"""

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from jobs.tasks import crunch

MAX_STEPS = 200


def index(request):
    return render(request, "jobs/index.html", {"max_steps": MAX_STEPS})


@require_POST
def start_job(request):
    """POST {"steps": n} (1 <= n <= MAX_STEPS; anything else is a 400 with {"error": ...}).

    Answer 202 Accepted with {"task_id": ..., "status_url": ...} and a Location header, at once."""
    steps = json.loads(request.body)["steps"]
    # TODO: validate steps; queue the job on the worker instead of running it here; answer 202.
    result = crunch(steps)
    return JsonResponse({"result": result})


@require_GET
def job_status(request, task_id):
    """GET: {"task_id": ..., "state": "PENDING" | "STARTED" | "SUCCESS" | "FAILURE" | ...,
    "result": <the job's return value, only on SUCCESS>, "error": <str, only on FAILURE>}.

    Must answer at once, whatever the state: never wait for the job here."""
    # TODO: look the task up by id (AsyncResult) and report its state.
    return JsonResponse({"task_id": task_id, "state": "UNKNOWN"})
