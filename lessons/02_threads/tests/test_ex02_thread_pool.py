"""ex02: a ThreadPoolExecutor with a bounded number of workers, results in order."""

import random

from awaitlings.testing import Stopwatch, expect_waves, fail, load, need
from support import expect_bodies, sequential_verdict

ADVICE = "Hand the calls to a ThreadPoolExecutor."


def run_fetch_all(server, urls, workers, alone):
    """fetch_all(urls, workers), judged sequential (and stopped) as soon as the server has answered `alone`
    requests one at a time: a pool of 2 or more never leaves its first requests alone that long."""
    fetch_all = need(load("ex02_thread_pool"), "fetch_all")
    server.stop_when_sequential(alone)
    error = None
    with Stopwatch() as sw:
        try:
            got = fetch_all(urls, max_workers=workers)
        except Exception as raised:  # noqa: BLE001 - re-raised below unless the server stopped a sequential run
            got, error = None, raised
    sequential_verdict(server, error, "fetch_all", len(urls), sw.elapsed, ADVICE)
    return got, sw


def expect_not_sequential(server, elapsed, count):
    """The exercise's basic behaviour, checked by every test: the requests overlap."""
    if server.peak < 2:
        fail(
            f"fetch_all ran sequentially: {count} requests took {elapsed:.2f} s and the "
            f"server never had two at once. {ADVICE}"
        )


def test_when_pages_take_different_times_then_bodies_come_back_in_url_order(server, paths):
    wanted = paths(5, "item")
    # Later urls answer first, so collecting results as they finish gives the wrong order.
    urls = [server.url(p, delay=0.01 + 0.015 * (len(wanted) - i)) for i, p in enumerate(wanted)]
    got, sw = run_fetch_all(server, urls, 5, alone=2)
    expect_bodies(got, [server.body_for(p) for p in wanted], "fetch_all")
    expect_not_sequential(server, sw.elapsed, len(urls))


def test_when_there_are_more_urls_than_workers_then_they_run_in_waves(server, paths):
    workers = random.choice([3, 4])
    wanted = paths(2 * workers, "item")
    urls = [server.url(p, delay=0.1) for p in wanted]
    got, sw = run_fetch_all(server, urls, workers, alone=2)
    expect_bodies(got, [server.body_for(p) for p in wanted], "fetch_all")
    expect_not_sequential(server, sw.elapsed, len(urls))
    if server.peak > workers:
        fail(
            f"The server had {server.peak} requests at once, but fetch_all(..., max_workers={workers}) "
            f"may send at most {workers}: give the pool max_workers threads, not one per url."
        )
    expect_waves(sw.elapsed, calls=len(urls), each=0.1, at_once=workers, what="fetch_all", unit="requests")


def test_when_max_workers_is_given_then_no_more_requests_run_at_once(server, paths):
    workers = random.choice([2, 3])
    wanted = paths(3 * workers, "item")
    got, sw = run_fetch_all(server, [server.url(p, delay=0.03) for p in wanted], workers, alone=4)
    expect_bodies(got, [server.body_for(p) for p in wanted], "fetch_all")
    expect_not_sequential(server, sw.elapsed, len(wanted))
    if server.peak > workers:
        fail(
            f"The server had {server.peak} requests at once, but fetch_all(..., max_workers={workers}) "
            f"may send at most {workers}: give the pool max_workers threads, not one per url."
        )
