"""Fixtures shared by the lesson 01 tests (course-owned)."""

import asyncio

import pytest

from awaitlings.testing import fail


@pytest.fixture
def within():
    """`await within(seconds, awaitable, what)`: the awaitable's result, or a clear failure when it
    does not finish in time. Every await on learner code in these tests goes through it."""

    async def _within(seconds, awaitable, what, advice="Is it waiting for something that never comes?"):
        deadline = asyncio.timeout(seconds)
        try:
            async with deadline:
                return await awaitable
        except TimeoutError:
            if deadline.expired():
                fail(f"{what} did not finish within {seconds:g} s. {advice}")
            raise  # a TimeoutError of the learner's own: the test looks at it

    return _within


@pytest.fixture
def tasks_left():
    """A function describing the tasks still pending besides the test itself, e.g.
    ["heartbeat() (still running: nothing cancelled it)"]."""

    def _tasks_left(ignore=()):
        mine = {asyncio.current_task(), *ignore}
        return [
            f"{task.get_coro().__qualname__}() "
            + ("(cancelled, but not stopped yet)" if task.cancelling() else "(still running: nothing cancelled it)")
            for task in asyncio.all_tasks()
            if task not in mine and not task.done()
        ]

    return _tasks_left
