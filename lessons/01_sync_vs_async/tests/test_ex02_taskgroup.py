"""Exercise 2: fetch_all_or_nothing cancels the other fetches as soon as one fails."""

import random

from awaitlings.testing import Stopwatch, fail, load, need
from fake_upstream import FakeUpstream, FetchError, random_urls

SLOW = 0.35  # the healthy fetches take this long; the broken one fails after 0.02 s


def fetch_all_or_nothing():
    return need(load("ex02_taskgroup"), "fetch_all_or_nothing", "coroutine function")


def one_broken(count=5):
    urls = random_urls(count)
    broken = random.choice(urls)
    upstream = FakeUpstream(delay=SLOW, delays={broken: 0.02}, failing={broken})
    return urls, broken, upstream


async def call_expecting_failure(within, urls, broken, upstream):
    """Call it with one URL failing; return the exception it raised and how long it took."""
    with Stopwatch() as sw:
        try:
            got = await within(2, fetch_all_or_nothing()(upstream.fetch, urls), "fetch_all_or_nothing")
        except (FetchError, ExceptionGroup) as error:
            return error, sw
    fail(f"{broken} failed, so fetch_all_or_nothing should raise, but it returned {got!r:.300}.")


def expect_the_others_stopped(upstream, broken):
    if upstream.running:
        fail(
            f"When {broken} failed, fetch_all_or_nothing raised but left {len(upstream.running)} other fetches "
            f"running in the background ({', '.join(upstream.running)}). Nobody will read their answers: "
            "they should have been cancelled, and have stopped, before the error reaches the caller."
        )


async def expect_cancelling_on_failure(within):
    """The exercise's basic behaviour, checked first by the tests of other cases: a failure stops the others."""
    urls, broken, upstream = one_broken(3)
    await call_expecting_failure(within, urls, broken, upstream)
    expect_the_others_stopped(upstream, broken)


async def test_when_every_fetch_succeeds_then_all_answers_come_back_in_order(within):
    await expect_cancelling_on_failure(within)
    urls = random_urls(random.randint(3, 6))
    upstream = FakeUpstream(delays={url: 0.005 * (len(urls) - i) for i, url in enumerate(urls)})
    got = await within(2, fetch_all_or_nothing()(upstream.fetch, urls), "fetch_all_or_nothing")
    want = [upstream.answer(url) for url in urls]
    if got is None:
        fail("fetch_all_or_nothing returned None: did you forget to `return` the answers?")
    if not isinstance(got, (list, tuple)) or list(got) != want:
        fail(f"fetch_all_or_nothing({urls}) should return {want}, but returned {got!r:.500}")
    if upstream.peak < len(urls):
        fail(
            f"At most {upstream.peak} of the {len(urls)} fetches were waiting at the same time: "
            "start them all (create_task) before waiting for any."
        )


async def test_when_one_fetch_fails_then_the_others_are_cancelled(within, tasks_left):
    urls, broken, upstream = one_broken()
    error, sw = await call_expecting_failure(within, urls, broken, upstream)
    others = sorted(set(urls) - {broken})
    expect_the_others_stopped(upstream, broken)
    if sorted(upstream.cancelled) != others:
        fail(
            f"The other fetches should have been cancelled: expected {others} cancelled, "
            f"got {sorted(upstream.cancelled)} cancelled and {sorted(upstream.finished)} finished."
        )
    if sw.elapsed > 0.02 + (SLOW - 0.02) / 2:
        fail(
            f"fetch_all_or_nothing took {sw.elapsed:.2f} s to report that {broken} failed after 0.02 s: "
            f"it waited for the other fetches ({SLOW:.2f} s) instead of cancelling them."
        )
    left = tasks_left()
    if left:
        fail(f"Tasks were left behind after fetch_all_or_nothing raised: {'; '.join(left)}.")


async def test_when_one_fetch_fails_then_the_caller_gets_an_exception_group(within):
    urls, broken, upstream = one_broken()
    error, _ = await call_expecting_failure(within, urls, broken, upstream)
    if not isinstance(error, ExceptionGroup):
        fail(
            f"fetch_all_or_nothing raised a bare {type(error).__name__}; expected an ExceptionGroup holding it, "
            "the way asyncio.TaskGroup reports failures (callers catch it with `except* FetchError`)."
        )
    matched, rest = error.split(FetchError)
    if rest is not None:
        fail(f"The ExceptionGroup should hold only the FetchError of {broken}, but it also holds {rest.exceptions!r}.")
    failures = [str(e) for e in matched.exceptions] if matched else []
    if len(failures) != 1 or broken not in failures[0]:
        fail(f"The ExceptionGroup should hold the one FetchError of {broken}, but holds {failures}.")
