"""Lesson 01's own fixture (`within` and the other shared helpers come from awaitlings.testing)."""

import asyncio

import pytest


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
