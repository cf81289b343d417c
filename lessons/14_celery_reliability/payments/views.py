"""The mini-project's page (`awaitlings run 14`): place orders, crash a worker's pool process, and
watch every order get charged exactly once. Course-owned."""

import json
import os
import signal

from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from .models import Charge, DeadLetter, Order
from .tasks import charge


def index(request):
    return render(request, "payments/index.html")


@csrf_exempt
def place_orders(request):
    count = min(int(json.loads(request.body or b"{}").get("count", 20)), 200)
    ids = [Order.objects.create(amount=1000 * (i % 9 + 1)).id for i in range(count)]
    for order_id in ids:
        charge.delay(order_id)
    return JsonResponse({"placed": ids}, status=202)


def state(request):
    charged = dict(Charge.objects.values_list("order_id").annotate(n=Count("id")))
    orders = list(Order.objects.order_by("-id").values_list("id", flat=True)[:200])
    return JsonResponse({
        "orders": len(orders),
        "charged_once": sum(1 for o in orders if charged.get(o) == 1),
        "charged_twice": sum(1 for o in orders if charged.get(o, 0) > 1),
        "not_charged": sum(1 for o in orders if o not in charged),
        "dead_letters": DeadLetter.objects.filter(requeued_at__isnull=True).count(),
        "recent": [{"order": o, "charges": charged.get(o, 0)} for o in orders[:40]],
    })


@csrf_exempt
def crash(request):
    """SIGKILL the worker pool process that made the most recent provider call (a crash mid-task)."""
    from . import provider

    calls = provider.log()
    if not calls:
        return JsonResponse({"killed": None})
    pid = calls[-1]["pid"]
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pid = None
    return JsonResponse({"killed": pid})
