"""Exercise 3: concurrent upstream calls inside one request.

GET /ex03/product?sku=SKU-7 builds a product card from three upstream endpoints:
/price, /stock and /reviews. The answer is
{"sku": ..., "price": ..., "currency": ..., "available": ..., "warehouse": ..., "reviews": ..., "rating": ...}.

The view already awaits, so it doesn't block anyone else. But it waits for the three calls one after
another, so each request takes the sum of the three waits. They don't depend on each other: start
all three, then wait once, so a request takes as long as the slowest call.
"""

import httpx
from django.conf import settings
from django.http import JsonResponse

from project.clients import TLS


async def fetch(client: httpx.AsyncClient, path: str, sku: str) -> dict:
    response = await client.get(path, params={"sku": sku})
    response.raise_for_status()
    return response.json()


# --8<-- [start:view]
async def product(request):
    sku = request.GET.get("sku", "")
    if not sku:
        return JsonResponse({"error": "sku is required"}, status=400)
    async with httpx.AsyncClient(base_url=settings.UPSTREAM_URL, timeout=5, verify=TLS) as client:
        # TODO: these three calls run one after another; run them concurrently
        # (asyncio.TaskGroup or asyncio.gather).
        price = await fetch(client, "/price", sku)
        stock = await fetch(client, "/stock", sku)
        reviews = await fetch(client, "/reviews", sku)
    return JsonResponse(
        {
            "sku": sku,
            "price": price["price"],
            "currency": price["currency"],
            "available": stock["available"],
            "warehouse": stock["warehouse"],
            "reviews": reviews["count"],
            "rating": reviews["average"],
        }
    )
# --8<-- [end:view]
