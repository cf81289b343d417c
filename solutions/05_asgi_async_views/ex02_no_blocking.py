"""Exercise 2: the blocking-call trap.

Both views are `async def`, so Django runs them on the event loop itself, with no thread of their
own. Each one makes a blocking call inside, and while it blocks, the loop can't serve anybody else:
every other request in this server process waits in line.

- GET /ex02/ping?n=3 waits settings.PING_DELAY seconds (simulated I/O) and answers {"ok": true, "n": 3}.
- GET /ex02/stock?sku=SKU-7 asks the upstream for the stock and answers
  {"sku": "SKU-7", "available": 12, "warehouse": "Busan"}.

Make both wait without blocking the loop.
"""

import asyncio

import httpx
from django.conf import settings
from django.http import JsonResponse

from project.clients import TLS


# --8<-- [start:ping]
async def ping(request):
    n = int(request.GET.get("n", "0"))
    # asyncio.sleep suspends only this request; time.sleep froze every request in the process.
    await asyncio.sleep(settings.PING_DELAY)
    return JsonResponse({"ok": True, "n": n})
# --8<-- [end:ping]


# --8<-- [start:stock]
async def stock(request):
    sku = request.GET.get("sku", "")
    if not sku:
        return JsonResponse({"error": "sku is required"}, status=400)
    # The async client awaits the socket instead of blocking the loop thread on it.
    async with httpx.AsyncClient(timeout=5, verify=TLS) as client:
        response = await client.get(f"{settings.UPSTREAM_URL}/stock", params={"sku": sku})
    response.raise_for_status()
    data = response.json()
    return JsonResponse({"sku": sku, "available": data["available"], "warehouse": data["warehouse"]})
# --8<-- [end:stock]
