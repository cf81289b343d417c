"""Exercise 3: don't wait forever.

`fetch_or_default(fetch, url, seconds, default)` returns `await fetch(url)` when the answer comes
within `seconds`, and `default` when it does not. A call that ran out of time must be cancelled, not
left running. Errors other than running out of time still reach the caller."""

import asyncio

from fake_upstream import FakeUpstream


async def fetch_or_default(fetch, url, seconds, default):
    # TODO: this waits as long as the upstream likes. Give the call `seconds` to answer
    # (asyncio.timeout), and return `default` when time runs out.
    return await fetch(url)


async def main():
    upstream = FakeUpstream(delay=2.0)
    print(await fetch_or_default(upstream.fetch, "/slow", 0.1, "(no answer)"))


if __name__ == "__main__":
    asyncio.run(main())
