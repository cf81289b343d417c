"""The price service: a tiny ASGI app with a slow network, served by uvicorn.

    GET /price/<isbn>  ->  {"isbn": "...", "price": "12.34"}   after $PRICING_DELAY seconds (default 0.1)

Prices are a pure function of the ISBN (`price_for`), so tests can check every answer."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from decimal import Decimal

DELAY = float(os.environ.get("PRICING_DELAY", "0.1"))


def price_for(isbn: str) -> Decimal:
    """The price the service quotes for `isbn`: between 5.00 and 49.99."""
    digest = hashlib.sha256(isbn.encode()).digest()
    cents = 500 + int.from_bytes(digest[:4], "big") % 4500
    return Decimal(cents).scaleb(-2)


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path.startswith("/price/") and len(path) > len("/price/"):
        isbn = path.removeprefix("/price/")
        await asyncio.sleep(DELAY)  # the "network": every answer takes this long
        status, body = 200, {"isbn": isbn, "price": str(price_for(isbn))}
    else:
        status, body = 404, {"error": "try /price/<isbn>"}
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
