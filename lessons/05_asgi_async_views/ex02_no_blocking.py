"""Exercise 2: the blocking-call trap.

Both views are `async def`, so Django runs them on the event loop itself, with no thread of their
own. Each one makes a blocking call inside, and while it blocks, the loop can't serve anybody else:
every other request in this server process waits in line.

- GET /ex02/ping?n=3 waits settings.PING_DELAY seconds (simulated I/O) and answers {"ok": true, "n": 3}.
- GET /ex02/stock?sku=SKU-7 asks the upstream for the stock and answers
  {"sku": "SKU-7", "available": 12, "warehouse": "Busan"}.

Make both wait without blocking the loop.
"""

import time

import httpx
from django.conf import settings
from django.http import JsonResponse

from project.clients import TLS


# --8<-- [start:ping]
async def ping(request):
    n = int(request.GET.get("n", "0"))
    time.sleep(settings.PING_DELAY)  # TODO: this stops the whole event loop
    return JsonResponse({"ok": True, "n": n})
# --8<-- [end:ping]


# --8<-- [start:stock]
async def stock(request):
    sku = request.GET.get("sku", "")
    if not sku:
        return JsonResponse({"error": "sku is required"}, status=400)
    # TODO: httpx.get() is a blocking call, like requests.get()
    response = httpx.get(f"{settings.UPSTREAM_URL}/stock", params={"sku": sku}, timeout=5, verify=TLS)
    response.raise_for_status()
    data = response.json()
    return JsonResponse({"sku": sku, "available": data["available"], "warehouse": data["warehouse"]})
# --8<-- [end:stock]
