"""The async way to ask the price service: one request on a shared `httpx.AsyncClient`."""

from __future__ import annotations

from decimal import Decimal

import httpx


async def fetch_price(client: httpx.AsyncClient, isbn: str) -> Decimal:
    """The price of one ISBN. `client` should have `base_url=settings.PRICING_URL`."""
    response = await client.get(f"/price/{isbn}")
    response.raise_for_status()
    return Decimal(response.json()["price"])
