"""Exercise 1: the bookshelf API on the async ORM.

    GET  /ex01/books/          every book, in title order: {"books": [{"id", "title", "isbn", "author"}, ...]}
    POST /ex01/books/          JSON {"title", "isbn", "author"} -> 201 and the new book (the author is reused)
    GET  /ex01/books/<id>/     one book, or 404

The views are `async def`, so every query in them must be awaited: the sync ORM raises
SynchronousOnlyOperation here."""

import json

from django.http import JsonResponse
from django.shortcuts import aget_object_or_404
from django.views.decorators.csrf import csrf_exempt

from bookshelf.models import Author, Book


def book_json(book: Book) -> dict:
    # `book.author` is a query unless the author was loaded with the book (select_related).
    return {"id": book.pk, "title": book.title, "isbn": book.isbn, "author": book.author.name}


# --8<-- [start:books]
@csrf_exempt  # a JSON API for scripts, not a browser form; real APIs authenticate with a token instead
async def books(request):
    if request.method == "POST":
        data = json.loads(request.body)
        # The a-methods run the same query in a worker thread and await it: the loop stays free.
        author, _ = await Author.objects.aget_or_create(name=data["author"])
        book = await Book.objects.acreate(title=data["title"], isbn=data["isbn"], author=author)
        return JsonResponse(book_json(book), status=201)
    # select_related joins the author into the one query; without it book.author would be a lazy
    # query per book, which async code cannot run.
    shelf = Book.objects.select_related("author").order_by("title")
    rows = [book_json(book) async for book in shelf]
    return JsonResponse({"books": rows})
# --8<-- [end:books]


# --8<-- [start:detail]
async def book_detail(request, pk: int):
    # aget_object_or_404 is aget() plus the 404; the queryset carries the join.
    book = await aget_object_or_404(Book.objects.select_related("author"), pk=pk)
    return JsonResponse(book_json(book))
# --8<-- [end:detail]
