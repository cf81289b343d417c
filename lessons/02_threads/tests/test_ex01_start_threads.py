"""ex01: start one thread per url, then wait for all of them."""

from awaitlings.testing import Stopwatch, expect_waves, fail, load, need
from support import sequential_verdict


def test_when_download_all_returns_then_every_page_is_in_the_result(server, paths):
    download_all = need(load("ex01_start_threads"), "download_all")
    # The first page is the slowest: returning after joining only some threads misses it.
    wanted = paths(4)
    urls = [server.url(wanted[0], delay=0.1)] + [server.url(p, delay=0.03) for p in wanted[1:]]
    got = download_all(urls)
    if got is None:
        fail("download_all returned None: it should return a dict {url: body}.")
    missing = [url for url in urls if url not in got]
    if missing:
        fail(
            f"download_all returned {len(urls) - len(missing)} of {len(urls)} pages: it returned while "
            "threads were still downloading. A thread keeps running after start(); join() waits for it."
        )
    for url, path in zip(urls, wanted):
        if got[url] != server.body_for(path):
            fail(f"The body for {url} should be {server.body_for(path)!r}, got {got[url]!r}.")


def test_when_five_pages_are_downloaded_then_the_waits_overlap(server, paths):
    download_all = need(load("ex01_start_threads"), "download_all")
    wanted = paths(5)
    urls = [server.url(p, delay=0.1) for p in wanted]
    # One thread per url never leaves the first two requests alone: stop a sequential run there.
    server.stop_when_sequential(2)
    error = None
    with Stopwatch() as sw:
        try:
            got = download_all(urls)
        except Exception as raised:  # noqa: BLE001 - re-raised below unless the server stopped a sequential run
            got, error = None, raised
    sequential_verdict(
        server, error, "download_all", len(urls), sw.elapsed,
        "Start every thread before you join any.",
    )
    if not got or len(got) != len(urls):
        fail(f"download_all should return all {len(urls)} pages, got {len(got or {})}.")
    if server.peak < 2:
        fail(
            "download_all ran sequentially: the server never had two requests at once "
            f"({len(urls)} requests took {sw.elapsed:.2f} s). Start every thread before you join any."
        )
    expect_waves(sw.elapsed, calls=5, each=0.1, at_once=5, what="download_all", unit="requests")

