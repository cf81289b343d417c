"""Exercise 4: the `refresh_prices` management command asks the price service for every book's price.

    python manage.py refresh_prices

The work is async (many requests could be in flight at once); a management command's handle() is
sync. Bridge the two."""

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand

from bookshelf.models import Book
from bookshelf.pricing import fetch_price


async def refresh_all() -> int:
    books = [book async for book in Book.objects.order_by("pk")]
    async with httpx.AsyncClient(base_url=settings.PRICING_URL, timeout=5) as client:
        # TODO: one request at a time; send them all at once.
        for book in books:
            book.price = await fetch_price(client, book.isbn)
    await Book.objects.abulk_update(books, ["price"])
    return len(books)


class Command(BaseCommand):
    help = "Fetch the current price of every book from the price service."

    def handle(self, *args, **options):
        # TODO: refresh_all() only creates a coroutine object here; nothing runs it.
        count = refresh_all()
        self.stdout.write(f"Updated {count} prices")
