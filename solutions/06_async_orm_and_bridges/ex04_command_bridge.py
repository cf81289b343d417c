"""Exercise 4: the `refresh_prices` management command asks the price service for every book's price.

    python manage.py refresh_prices

The work is async (many requests in flight at once); a management command's handle() is sync.
The bridge between the two is async_to_sync."""

import asyncio

import httpx
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.management.base import BaseCommand

from bookshelf.models import Book
from bookshelf.pricing import fetch_price


# --8<-- [start:refresh]
async def refresh_all() -> int:
    books = [book async for book in Book.objects.order_by("pk")]
    async with httpx.AsyncClient(base_url=settings.PRICING_URL, timeout=5) as client:
        # All requests in flight at once: the whole refresh takes about one round trip.
        prices = await asyncio.gather(*(fetch_price(client, book.isbn) for book in books))
    for book, price in zip(books, prices):
        book.price = price
    await Book.objects.abulk_update(books, ["price"])
    return len(books)


class Command(BaseCommand):
    help = "Fetch the current price of every book from the price service."

    def handle(self, *args, **options):
        # async_to_sync runs the coroutine to completion from sync code. Unlike asyncio.run(), it
        # sends the async ORM's thread-sensitive work back to this thread, so the queries use this
        # thread's connection and see (and join) the caller's transaction.
        count = async_to_sync(refresh_all)()
        self.stdout.write(f"Updated {count} prices")
# --8<-- [end:refresh]
