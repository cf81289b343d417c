"""The mini-project's front page: links to every exercise's endpoint."""

from django.shortcuts import render

from bookshelf.models import Book


def home(request):
    # A plain sync view is fine under ASGI: Django runs it in a thread (and the sync ORM with it).
    isbns = list(Book.objects.values_list("isbn", flat=True)[:3])
    return render(request, "bookshelf/home.html", {"isbns": isbns, "user": request.user})
