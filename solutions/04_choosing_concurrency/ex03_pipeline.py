"""A producer/consumer pipeline with backpressure.

`run_pipeline(source, handle, workers=..., maxsize=...)` takes jobs from the async iterator `source`
(think: rows from a database cursor, lines of a huge file, messages from a broker), handles each with
`await handle(job)` on `workers` consumer tasks, and returns the results in the order the jobs came.

Between the producer and the consumers sits a queue that holds at most `maxsize` jobs. When the
consumers fall behind, the producer has to wait: that is *backpressure*, and it keeps memory bounded
however long the source is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Any

DONE = object()  # the stop signal: one per consumer, after the last job


# --8<-- [start:run_pipeline]
async def run_pipeline(
    source: AsyncIterable[Any],
    handle: Callable[[Any], Awaitable[Any]],
    *,
    workers: int = 3,
    maxsize: int = 5,
) -> list[Any]:
    queue: asyncio.Queue = asyncio.Queue(maxsize=maxsize)
    results: dict[int, Any] = {}

    async def produce() -> None:
        index = 0
        async for job in source:
            await queue.put((index, job))  # waits while the queue is full: this is the backpressure
            index += 1
        for _ in range(workers):
            await queue.put(DONE)

    async def consume() -> None:
        while (item := await queue.get()) is not DONE:
            index, job = item
            results[index] = await handle(job)

    # A TaskGroup waits for every task, and if one fails it cancels the others and re-raises:
    # no consumer is left waiting on a queue that nobody will ever fill.
    async with asyncio.TaskGroup() as group:
        group.create_task(produce())
        for _ in range(workers):
            group.create_task(consume())
    return [results[index] for index in range(len(results))]
# --8<-- [end:run_pipeline]
