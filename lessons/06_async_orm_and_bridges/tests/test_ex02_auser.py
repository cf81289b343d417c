import inspect

import pytest
from awaitlings.testing import fail, load, need
from support import call, json_of, random_isbn, random_name, random_title

pytestmark = pytest.mark.django_db(transaction=True)


async def shelf_for(rng, username: str):
    from bookshelf.models import Author, Book
    from django.contrib.auth.models import User

    reader = await User.objects.acreate(username=username)
    other = await User.objects.acreate(username=username + "_neighbour")
    author = await Author.objects.acreate(name=random_name(rng))
    mine = []
    for owner in [reader] * rng.randint(2, 4) + [other] * 2 + [None]:
        book = await Book.objects.acreate(title=random_title(rng), isbn=random_isbn(rng), author=author, owner=owner)
        if owner == reader:
            mine.append(book.title)
    return reader, sorted(mine)


def load_view():
    """The module under test, once `me` is checked to be `async def` (a check of its own would award
    points to the untouched starter, whose view already is)."""
    mod = load("ex02_auser")
    view = need(mod, "me", "function")
    if not inspect.iscoroutinefunction(view):
        fail("`me` should stay `async def`: the point is reading the user from async code.")
    return mod


async def test_a_logged_in_reader_sees_their_name_and_their_shelf(async_client, rng):
    load_view()
    username = f"reader{rng.randint(1000, 9999)}"
    reader, titles = await shelf_for(rng, username)
    await async_client.aforce_login(reader)
    response = await call(async_client, "get", "/ex02/me/")
    got = json_of(response, "GET /ex02/me/")
    want = {"username": username, "shelf": titles}
    assert response.status_code == 200, f"GET /ex02/me/ (logged in) answered {response.status_code}, expected 200"
    assert got == want, f"GET /ex02/me/ as {username}: expected {want}, got {got}"


async def test_an_anonymous_visitor_gets_401(async_client, rng):
    load_view()
    await shelf_for(rng, f"reader{rng.randint(1000, 9999)}")
    response = await call(async_client, "get", "/ex02/me/")
    assert response.status_code == 401, f"GET /ex02/me/ without logging in answered {response.status_code}, expected 401"
    got = json_of(response, "GET /ex02/me/")
    assert "error" in got, f"GET /ex02/me/ without logging in should answer {{'error': ...}}, got {got}"
