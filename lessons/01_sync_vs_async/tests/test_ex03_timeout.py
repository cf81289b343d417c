"""Exercise 3: fetch_or_default gives up after `seconds`, cancels the late call and returns the default."""

import random
import secrets

from awaitlings.testing import fail, load, need
from fake_upstream import FakeUpstream, FetchError, random_urls

LATE = 5.0  # a late upstream answers after this long: in these tests, never
GRACE = 0.1  # how long past `seconds` the default may take (the machine is shared)
LATE_SECONDS = (0.03, 0.04, 0.05)  # the `seconds` the late tests give
# The in-time answer comes after the late tests' whole budget (seconds + GRACE): no fixed time limit
# passes both. Every starter that never gives up waits this long in each late test, so no longer.
IN_TIME = max(LATE_SECONDS) + GRACE + 0.02


def fetch_or_default():
    return need(load("ex03_timeout"), "fetch_or_default", "coroutine function")


def a_default():
    return f"(default {secrets.token_hex(3)})"


async def expect_giving_up(within):
    """The exercise's basic behaviour, checked first by the tests of other cases: a late call ends in the default."""
    seconds = min(LATE_SECONDS)
    upstream, url, default, got = await call_with_late_upstream(within, seconds)
    expect_the_default(seconds, default, got)


def expect_the_default(seconds, default, got):
    if got != default:
        fail(
            f"The upstream was too slow and `seconds` was {seconds}: fetch_or_default should return the default "
            f"{default!r}, but returned {got!r:.300}."
        )


async def test_when_the_answer_comes_in_time_then_it_is_returned(within):
    await expect_giving_up(within)
    (url,) = random_urls(1)
    upstream, default = FakeUpstream(delay=IN_TIME), a_default()
    got = await within(2, fetch_or_default()(upstream.fetch, url, 0.5, default), "fetch_or_default")
    want = upstream.answer(url)
    if got == default:
        fail(
            f"The upstream answered after {IN_TIME:.2f} s and `seconds` was 0.5, but fetch_or_default returned the default. "
            "Is the time limit taken from `seconds`?"
        )
    if got != want:
        fail(f"fetch_or_default should return the upstream's answer {want!r}, but returned {got!r:.300}.")


async def call_with_late_upstream(within, seconds):
    """fetch_or_default on an upstream that takes LATE seconds, given `seconds`: (upstream, url, default, got)."""
    (url,) = random_urls(1)
    upstream, default = FakeUpstream(delay=LATE), a_default()
    got = await within(
        seconds + GRACE,
        fetch_or_default()(upstream.fetch, url, seconds, default),
        f"fetch_or_default(fetch, {url!r}, seconds={seconds}, default)",
        f"The upstream needs {LATE:g} s here: after `seconds` it should give up and return the default.",
    )
    return upstream, url, default, got


async def test_when_the_answer_is_late_then_the_default_comes_back_on_time(within):
    seconds = random.choice(LATE_SECONDS)
    upstream, url, default, got = await call_with_late_upstream(within, seconds)
    expect_the_default(seconds, default, got)


async def test_when_time_runs_out_then_the_late_call_is_cancelled(within, tasks_left):
    upstream, url, default, got = await call_with_late_upstream(within, max(LATE_SECONDS))
    if got != default:
        fail(f"With seconds={max(LATE_SECONDS)} and an upstream needing {LATE:g} s, expected the default, got {got!r:.300}.")
    left = tasks_left()
    if upstream.running or left:
        fail(
            f"fetch_or_default returned the default, but the late call to {url} had not stopped: "
            f"{'; '.join(left) or 'the upstream is still working on it'}. A call you give up on must be "
            "cancelled, and have stopped, before you return."
        )
    if upstream.cancelled != [url]:
        fail(f"The late call should have been cancelled; the upstream saw: cancelled {upstream.cancelled}, finished {upstream.finished}.")


async def test_when_the_fetch_fails_then_the_error_reaches_the_caller(within):
    await expect_giving_up(within)
    (url,) = random_urls(1)
    upstream, default = FakeUpstream(delay=0.01, failing={url}), a_default()
    try:
        got = await within(2, fetch_or_default()(upstream.fetch, url, 0.3, default), "fetch_or_default")
    except FetchError:
        return
    fail(
        f"The upstream failed at once with FetchError, but fetch_or_default returned {got!r:.200}. Only running "
        "out of time should turn into the default: other errors must reach the caller."
    )
