"""Exercise 1: an async view.

GET /ex01/price?sku=SKU-7 asks the upstream service for the price and answers
{"sku": "SKU-7", "price": 42.17, "currency": "EUR"}.

This version is a sync view with a blocking HTTP client. Under ASGI, Django runs it in a thread of
its own for every request, and that thread sits idle while the upstream thinks: a hundred waiting
requests hold a hundred threads. Make it an `async def` view that awaits the upstream instead, so
waiting costs no thread at all.
"""

import httpx
from django.conf import settings
from django.http import JsonResponse

from project.clients import TLS


# --8<-- [start:view]
async def price(request):
    sku = request.GET.get("sku", "")
    if not sku:
        return JsonResponse({"error": "sku is required"}, status=400)
    # `await client.get` hands the event loop to other requests while the upstream thinks,
    # so no thread is parked per waiting request.
    async with httpx.AsyncClient(timeout=5, verify=TLS) as client:
        response = await client.get(f"{settings.UPSTREAM_URL}/price", params={"sku": sku})
    response.raise_for_status()
    data = response.json()
    return JsonResponse({"sku": sku, "price": data["price"], "currency": data["currency"]})
# --8<-- [end:view]
