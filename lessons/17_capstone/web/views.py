"""The page, and the health endpoint every process manager and load balancer asks."""

import os
import time

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from reports.models import Report
from reports.views import describe
from teams.models import Project


@login_required
def index(request):
    projects = list(Project.objects.filter(organization__members=request.user).select_related("organization")
                    .order_by("organization__name", "name"))
    room = request.GET.get("room") or (projects[0].slug if projects else "")
    reports = [describe(r) for r in Report.objects.filter(user=request.user).order_by("-id")[:5]]
    return render(request, "web/index.html", {
        "projects": projects, "room": room, "reports": reports,
        "server": f"{request.get_host()} (pid {os.getpid()})",
    })


def _database_ok() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


# --8<-- [start:health]
async def healthz(request):
    """200 when this process can reach its database and Redis (channel layer + broker), else 503."""
    checks, started = {}, time.perf_counter()
    try:
        await sync_to_async(_database_ok)()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - a health check reports, it doesn't raise
        checks["database"] = f"error: {type(error).__name__}"
    client = aioredis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        await client.ping()
        checks["redis"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["redis"] = f"error: {type(error).__name__}"
    finally:
        await client.aclose()
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks, "pid": os.getpid(),
                         "ms": round((time.perf_counter() - started) * 1000, 1)}, status=200 if healthy else 503)
# --8<-- [end:health]
