"""Exercise 1: fetch every URL at the same time.

`fetch_all(fetch, urls)` calls `await fetch(url)` once per URL and returns the answers in the same
order as `urls`. It already gives the right answers, but slowly: each call waits for the previous one."""

import asyncio

from fake_upstream import fake_fetch


async def fetch_all(fetch, urls):
    results = []
    for url in urls:
        # TODO: this await finishes one call before the next one starts. Start all the calls, then
        # wait for all of them at once (keep the results in the order of `urls`).
        results.append(await fetch(url))
    return results


async def main():
    print(await fetch_all(fake_fetch, ["/a", "/b", "/c"]))


if __name__ == "__main__":
    asyncio.run(main())
