"""Exercise 3: don't wait forever.

`fetch_or_default(fetch, url, seconds, default)` returns `await fetch(url)` when the answer comes
within `seconds`, and `default` when it does not. A call that ran out of time must be cancelled, not
left running. Errors other than running out of time still reach the caller."""

import asyncio

from fake_upstream import FakeUpstream


# --8<-- [start:solution]
async def fetch_or_default(fetch, url, seconds, default):
    try:
        # At the deadline asyncio.timeout cancels the call, then raises TimeoutError out of the block.
        async with asyncio.timeout(seconds):
            return await fetch(url)
    except TimeoutError:
        return default
# --8<-- [end:solution]


async def main():
    upstream = FakeUpstream(delay=2.0)
    print(await fetch_or_default(upstream.fetch, "/slow", 0.1, "(no answer)"))


if __name__ == "__main__":
    asyncio.run(main())
