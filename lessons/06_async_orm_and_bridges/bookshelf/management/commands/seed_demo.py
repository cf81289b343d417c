"""`python manage.py seed_demo`: a demo reader and a few books, once."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from bookshelf.models import Author, Book

BOOKS = [
    ("Fluent Python", "9781492056355", "Luciano Ramalho", True),
    ("Architecture Patterns with Python", "9781492052203", "Harry Percival", True),
    ("Two Scoops of Django", "9780692915721", "Daniel Feldroy", False),
    ("Using Asyncio in Python", "9781492075332", "Caleb Hattingh", True),
    ("High Performance Python", "9781492055020", "Micha Gorelick", False),
]


class Command(BaseCommand):
    help = "Create the demo user `reader` (password `reader`) and a few books."

    def handle(self, *args, **options):
        reader, created = User.objects.get_or_create(username="reader")
        if created:
            reader.set_password("reader")
            reader.save()
        for title, isbn, author, on_shelf in BOOKS:
            author_obj, _ = Author.objects.get_or_create(name=author)
            Book.objects.get_or_create(
                isbn=isbn, defaults={"title": title, "author": author_obj, "owner": reader if on_shelf else None}
            )
        self.stdout.write(f"{Book.objects.count()} books; log in as reader / reader")
