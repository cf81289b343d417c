"""Exercise 2: all or nothing.

`fetch_all_or_nothing(fetch, urls)` returns every answer, in the order of `urls`, when all the calls
succeed. When one call fails, the others are no longer needed: cancel them, and let the failure reach
the caller as an `ExceptionGroup` (this is what `asyncio.TaskGroup` does)."""

import asyncio

from fake_upstream import FakeUpstream, FetchError


async def fetch_all_or_nothing(fetch, urls):
    # TODO: when one fetch fails, gather() hands you its error at once but lets the other fetches
    # run on in the background, still using connections and time nobody will use. Use a TaskGroup.
    return list(await asyncio.gather(*(fetch(url) for url in urls)))


async def main():
    upstream = FakeUpstream(delay=0.5, delays={"/broken": 0.1}, failing={"/broken"})
    try:
        await fetch_all_or_nothing(upstream.fetch, ["/a", "/broken", "/c"])
    except* FetchError as group:
        print("failed:", group.exceptions)
    print("cancelled:", upstream.cancelled, "still running:", upstream.running)


if __name__ == "__main__":
    asyncio.run(main())
