"""Exercise 1: the bookshelf API on the async ORM.

    GET  /ex01/books/          every book, in title order: {"books": [{"id", "title", "isbn", "author"}, ...]}
    POST /ex01/books/          JSON {"title", "isbn", "author"} -> 201 and the new book (the author is reused)
    GET  /ex01/books/<id>/     one book, or 404

The views are `async def`, so every query in them must be awaited: the sync ORM raises
SynchronousOnlyOperation here. Run `awaitlings check 06` and read the error it shows you."""

import json

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt

from bookshelf.models import Author, Book


def book_json(book: Book) -> dict:
    return {"id": book.pk, "title": book.title, "isbn": book.isbn, "author": book.author.name}


@csrf_exempt  # a JSON API for scripts, not a browser form; real APIs authenticate with a token instead
async def books(request):
    if request.method == "POST":
        data = json.loads(request.body)
        # TODO: these are sync ORM calls inside `async def`: use their async versions.
        author, _ = Author.objects.get_or_create(name=data["author"])
        book = Book.objects.create(title=data["title"], isbn=data["isbn"], author=author)
        return JsonResponse(book_json(book), status=201)
    # TODO: iterate with `async for`, and load each book's author in the same query.
    rows = [book_json(book) for book in Book.objects.order_by("title")]
    return JsonResponse({"books": rows})


async def book_detail(request, pk: int):
    # TODO: the async version of get_object_or_404, with the author loaded up front.
    book = get_object_or_404(Book, pk=pk)
    return JsonResponse(book_json(book))
