"""Two async tests that share a table. Run them with `python measure.py leak` (the notebook does).

With a plain `django_db` mark each test runs inside a transaction that is rolled back afterwards, but
the async ORM runs its queries in a worker thread, on that thread's own connection, outside the
transaction: the row written by the first test is committed, and the second test finds it."""

import os

import pytest

from bookshelf.models import Author

MARK = pytest.mark.django_db(transaction=os.environ.get("LEAK_DEMO_TRANSACTION") == "1")


# --8<-- [start:leak]
@MARK
async def test_first_adds_an_author():
    await Author.objects.acreate(name="Leaky Lee")
    assert await Author.objects.acount() == 1


@MARK
async def test_second_starts_with_an_empty_table():
    assert await Author.objects.acount() == 0, "a row from the previous test is still here"
# --8<-- [end:leak]
