"""Download several pages at once with plain `threading.Thread`s.

`download_all(urls)` returns `{url: body}` for every url. `fetch()` blocks its thread until the
server answers, so one thread per url lets the waits overlap.
"""

from __future__ import annotations

import threading

from blocking_http import fetch


# --8<-- [start:download_all]
def download_all(urls: list[str]) -> dict[str, str]:
    results: dict[str, str] = {}

    def worker(url: str) -> None:
        results[url] = fetch(url)  # a thread can't return a value: it leaves it here

    threads = [threading.Thread(target=worker, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    # Start them all first, then wait for each: join() inside the start loop would run them one by one.
    for thread in threads:
        thread.join()
    return results
# --8<-- [end:download_all]


if __name__ == "__main__":
    from slow_server import SlowServer

    with SlowServer(delay=0.5) as server:
        pages = download_all([server.url(f"page/{n}") for n in range(5)])
        print(f"{len(pages)} of 5 pages downloaded")
