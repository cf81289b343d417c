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


def sequential_verdict(server, error: BaseException | None, what: str, count: int, elapsed: float, advice: str) -> None:
    """After a call made with `server.stop_when_sequential(n)`: fail if the server saw n requests one at a
    time (it then answered the rest 503, so the call may have raised `error`); else re-raise `error`."""
    if server.sequential:
        fail(
            f"{what} ran sequentially: the server answered the first {server.alone_limit} of the {count} requests "
            f"one after another ({elapsed:.2f} s) and never had two at once. {advice}"
        )
    if error is not None:
        raise error
