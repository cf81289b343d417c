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


# --8<-- [start:run_pipeline]
async def run_pipeline(
    source: AsyncIterable[Any],
    handle: Callable[[Any], Awaitable[Any]],
    *,
    workers: int = 3,
    maxsize: int = 5,
) -> list[Any]:
    # TODO: this reads the whole source into memory, then handles every job at once. Put a bounded
    #       asyncio.Queue(maxsize) between one producer task and `workers` consumer tasks, stop the
    #       consumers when the source is exhausted, and let an error in any task stop the pipeline.
    jobs = [job async for job in source]
    return list(await asyncio.gather(*(handle(job) for job in jobs)))
# --8<-- [end:run_pipeline]
