"""Exercise 2: all or nothing.

`fetch_all_or_nothing(fetch, urls)` returns every answer, in the order of `urls`, when all the calls
succeed. When one call fails, the others are no longer needed: cancel them, and let the failure reach
the caller as an `ExceptionGroup` (this is what `asyncio.TaskGroup` does)."""

import asyncio

from fake_upstream import FakeUpstream, FetchError


# --8<-- [start:solution]
async def fetch_all_or_nothing(fetch, urls):
    # A TaskGroup cancels the other tasks when one fails, and waits until they have really stopped.
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(fetch(url)) for url in urls]
    return [task.result() for task in tasks]
# --8<-- [end:solution]


async def main():
    upstream = FakeUpstream(delay=0.5, delays={"/broken": 0.1}, failing={"/broken"})
    try:
        await fetch_all_or_nothing(upstream.fetch, ["/a", "/broken", "/c"])
    except* FetchError as group:
        print("failed:", group.exceptions)
    print("cancelled:", upstream.cancelled, "still running:", upstream.running)


if __name__ == "__main__":
    asyncio.run(main())
