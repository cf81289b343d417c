"""Exercise 1: fetch every URL at the same time.

`fetch_all(fetch, urls)` calls `await fetch(url)` once per URL, all at the same time, and returns the
answers in the same order as `urls`."""

import asyncio

from fake_upstream import fake_fetch


# --8<-- [start:solution]
async def fetch_all(fetch, urls):
    # gather starts every call before waiting for any, and returns the answers in argument order.
    return list(await asyncio.gather(*(fetch(url) for url in urls)))
# --8<-- [end:solution]


async def main():
    print(await fetch_all(fake_fetch, ["/a", "/b", "/c"]))


if __name__ == "__main__":
    asyncio.run(main())
