"""Reference views that bench.py measures. They are course-owned, so the benchmark compares the same
code on every machine, whatever state the exercises are in."""

import httpx
from django.conf import settings
from django.http import JsonResponse

from project.clients import TLS


# --8<-- [start:sync]
def sync_price(request):
    """Sync view, blocking client: fine under WSGI, where each worker serves one request at a time."""
    with httpx.Client(timeout=10, verify=TLS) as client:
        response = client.get(f"{settings.UPSTREAM_URL}/price", params={"sku": request.GET.get("sku", "x")})
    return JsonResponse(response.json())
# --8<-- [end:sync]


# --8<-- [start:async]
async def async_price(request):
    """Async view, async client: the wait gives the event loop back to other requests."""
    async with httpx.AsyncClient(timeout=10, verify=TLS) as client:
        response = await client.get(f"{settings.UPSTREAM_URL}/price", params={"sku": request.GET.get("sku", "x")})
    return JsonResponse(response.json())
# --8<-- [end:async]


# --8<-- [start:blocking]
async def blocking_price(request):
    """The trap: `async def`, but the client blocks, so the whole event loop waits with it."""
    with httpx.Client(timeout=10, verify=TLS) as client:
        response = client.get(f"{settings.UPSTREAM_URL}/price", params={"sku": request.GET.get("sku", "x")})
    return JsonResponse(response.json())
# --8<-- [end:blocking]

