"""Exercise 3: call a sync-only SDK from an async view without blocking the event loop.

    GET /ex03/quotes/?isbn=A&isbn=B   {"quotes": {"A": "12.34", "B": "7.50"}, "total": "19.84"}

`legacy_pricing.quote(isbn)` blocks its thread for one network round trip."""

from decimal import Decimal

from django.http import JsonResponse

from legacy_pricing import quote


async def quotes(request):
    isbns = request.GET.getlist("isbn")
    # TODO: quote() blocks, and here it blocks the event loop itself, one ISBN after another.
    # Run the calls in threads, all at the same time.
    prices = [quote(isbn) for isbn in isbns]
    return JsonResponse(
        {
            "quotes": {isbn: str(price) for isbn, price in zip(isbns, prices)},
            "total": str(sum(prices, Decimal(0))),
        }
    )
