"""Checks lesson 02's test modules share (imported as `support`; fixtures live in conftest.py)."""

from __future__ import annotations

from awaitlings.testing import fail


def expect_bodies(got, want: list[str], what: str) -> None:
    if got is None:
        fail(f"{what} returned None: it should return the {len(want)} page bodies.")
    got = list(got)
    if sorted(map(str, got)) == sorted(want) and got != want:
        fail(f"{what} returned the right pages in the wrong order: keep the order of the urls you were given.")
    if got != want:
        fail(f"{what} returned {len(got)} item(s) that don't match the {len(want)} pages the server sent. First: {got[:1]}")
