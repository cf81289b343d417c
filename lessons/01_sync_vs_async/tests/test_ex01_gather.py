"""Exercise 1: fetch_all starts every fetch at once and keeps the answers in the order of the URLs."""

import random

from awaitlings.testing import Stopwatch, expect_concurrent, fail, load, need
from fake_upstream import FakeUpstream, random_urls


def fetch_all():
    return need(load("ex01_gather"), "fetch_all", "coroutine function")


def check_answers(got, urls, upstream):
    want = [upstream.answer(url) for url in urls]
    if got is None:
        fail("fetch_all returned None: did you forget to `return` the answers?")
    if not isinstance(got, (list, tuple)):
        fail(f"fetch_all should return a list of answers, but returned {type(got).__name__}: {got!r:.200}")
    if list(got) == want:
        return
    if sorted(map(str, got)) == sorted(want):
        fail(
            "fetch_all returned the right answers in the wrong order: "
            f"expected {want}, got {list(got)}. The first URL answers last here, so collect the answers "
            "by position, not as they arrive."
        )
    fail(f"fetch_all({urls}) should return {want}, but returned {list(got)!r:.500}")


def expect_all_at_once(upstream, urls):
    """The exercise's basic behaviour, checked first by every test (a sequential fetch_all scores nothing)."""
    if upstream.peak < len(urls):
        fail(f"At most {upstream.peak} of the {len(urls)} fetches were waiting at the same time; all of them should be.")


async def test_answers_come_back_in_the_order_of_the_urls(within):
    urls = random_urls(random.randint(3, 6))
    # The first URL is the slowest: answers collected as they arrive come back reversed.
    upstream = FakeUpstream(delays={url: 0.006 * (len(urls) - i) for i, url in enumerate(urls)})
    got = await within(2, fetch_all()(upstream.fetch, urls), "fetch_all")
    check_answers(got, urls, upstream)
    expect_all_at_once(upstream, urls)
    if sorted(upstream.started) != sorted(urls):
        fail(f"Each URL should be fetched exactly once: asked for {sorted(urls)}, fetched {sorted(upstream.started)}.")


async def test_the_fetches_run_at_the_same_time(within):
    urls = random_urls(5)
    upstream = FakeUpstream(delay=0.06)
    with Stopwatch() as sw:
        got = await within(2, fetch_all()(upstream.fetch, urls), "fetch_all")
    check_answers(got, urls, upstream)
    expect_concurrent(sw.elapsed, calls=5, each=0.06, what="fetch_all")
    expect_all_at_once(upstream, urls)


async def test_no_urls_give_an_empty_list(within):
    urls = random_urls(3)
    upstream = FakeUpstream(delay=0.005)
    check_answers(await within(2, fetch_all()(upstream.fetch, urls), "fetch_all"), urls, upstream)
    expect_all_at_once(upstream, urls)
    upstream = FakeUpstream()
    got = await within(1, fetch_all()(upstream.fetch, []), "fetch_all")
    if got is None or list(got) != []:
        fail(f"fetch_all(fetch, []) should return [], but returned {got!r}.")
