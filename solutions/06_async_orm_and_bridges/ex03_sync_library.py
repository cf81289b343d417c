"""Exercise 3: call a sync-only SDK from an async view without blocking the event loop.

    GET /ex03/quotes/?isbn=A&isbn=B   {"quotes": {"A": "12.34", "B": "7.50"}, "total": "19.84"}

`legacy_pricing.quote(isbn)` blocks its thread for one network round trip."""

import asyncio
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.http import JsonResponse

from legacy_pricing import quote


# --8<-- [start:quotes]
async def quotes(request):
    isbns = request.GET.getlist("isbn")
    # quote() keeps no shared state and never touches Django's DB connection, so it may run in any
    # thread: thread_sensitive=False lets the calls run in parallel threads. With the default (True)
    # every call in this request queues for the same single thread, one after another.
    quote_async = sync_to_async(quote, thread_sensitive=False)
    prices = await asyncio.gather(*(quote_async(isbn) for isbn in isbns))
    return JsonResponse(
        {
            "quotes": {isbn: str(price) for isbn, price in zip(isbns, prices)},
            "total": str(sum(prices, Decimal(0))),
        }
    )
# --8<-- [end:quotes]
