"""ex04 (mini-project): a polite fetcher against the real rate-limited server, under uvicorn."""

import random

import httpx

from awaitlings.testing import Stopwatch, fail, load, need


def fetcher():
    fetch_all = need(load("ex04_polite_fetcher"), "fetch_all", "coroutine function")

    async def call(*args, **kwargs):
        """The learner's fetch_all, with HTTP errors it let escape turned into a sentence."""
        try:
            return await fetch_all(*args, **kwargs)
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            if status == 429:
                fail(
                    f"fetch_all crashed with 429 Too Many Requests ({error.request.url.path}): it had more than "
                    f"limit={kwargs.get('limit')} requests in flight and the server turned one away. Share one "
                    "asyncio.Semaphore(limit) between all requests."
                )
            if status == 503:
                fail(
                    f"fetch_all gave up on a 503 Service Unavailable ({error.request.url.path}): a 503 is transient. "
                    "Wait a little (backoff, doubling each time) and try again, up to `retries` times."
                )
            raise

    return call


def check_bodies(got, polite, ids, what="fetch_all"):
    if got is None:
        fail(f"{what} returned None: it should return {{id: JSON body}} for every id.")
    missing = [item for item in ids if item not in got]
    if missing:
        fail(f"{what} returned no body for {len(missing)} of {len(ids)} ids (first: {missing[0]}).")
    for item in ids:
        if got[item] != polite.body(item):
            fail(f"The body for id {item} should be {polite.body(item)}, got {got[item]!r}.")


def check_polite(stats, limit):
    if stats["rejected"] or stats["peak"] > limit:
        fail(
            f"The server had up to {max(stats['peak'], limit + 1)} requests at once and rejected "
            f"{stats['rejected']} with 429 Too Many Requests: fetch_all(..., limit={limit}) must never have more "
            f"than {limit} requests in flight. Share one asyncio.Semaphore(limit) between all requests."
        )


async def test_when_many_items_are_fetched_then_every_body_is_right_and_the_limit_holds(polite, within):
    fetch_all = fetcher()
    limit = random.choice([3, 4, 5])
    polite.configure(limit=limit, latency=0.02)
    ids = random.sample(range(1, 9_000), 3 * limit + 1)
    got = await within(10, fetch_all(polite.url, ids, limit=limit), "fetch_all")
    stats = polite.stats()
    check_polite(stats, limit)
    check_bodies(got, polite, ids)
    extra = {k: v for k, v in stats["attempts"].items() if v > 1}
    if extra:
        fail(f"Items that answered 200 the first time were requested again: {extra}. Retry only transient errors.")


async def test_when_n_items_are_fetched_at_limit_c_then_it_takes_about_n_over_c_latencies(polite, within):
    fetch_all = fetcher()
    limit, latency, count = 4, 0.03, 12
    polite.configure(limit=limit, latency=latency)
    ids = random.sample(range(1, 9_000), count)
    async with Stopwatch() as sw:
        got = await within(15, fetch_all(polite.url, ids, limit=limit), "fetch_all")
    stats = polite.stats()
    check_polite(stats, limit)
    check_bodies(got, polite, ids)
    ideal = count / limit * latency
    busy = stats["busy_for"]  # the server's own clock, first request in to last answer out
    # Counted first: the server saw all `limit` slots busy at once (one request at a time never does).
    # Then the clock, generously: 2.5 times the ideal, plus a fixed 0.5 s for a busy machine. It is the
    # server's clock, so creating the client (SSL set-up, slow under asyncio debug mode) isn't counted.
    if stats["peak"] < limit or busy > 2.5 * ideal + 0.5:
        fail(
            f"{count} requests of {latency:.2f} s at limit={limit} should take about {ideal:.2f} s "
            f"(N / limit x latency); fetch_all's requests took {busy:.2f} s from the first to the last answer "
            f"({sw.elapsed:.2f} s in all), {busy / ideal:.1f}x that, and the server never had more than "
            f"{stats['peak']} at once. Keep all {limit} slots busy: start every request and let the semaphore "
            "queue them."
        )


async def test_when_the_server_answers_503_then_the_fetcher_retries_until_it_succeeds(polite, within):
    fetch_all = fetcher()
    ids = random.sample(range(1, 9_000), 6)
    flaky = {ids[0]: 1, ids[1]: 2}
    polite.configure(limit=3, latency=0.02, flaky=flaky)
    got = await within(10, fetch_all(polite.url, ids, limit=3, retries=3, backoff=0.01), "fetch_all")
    stats = polite.stats()
    check_polite(stats, 3)
    check_bodies(got, polite, ids)
    for item, failures in flaky.items():
        tries = stats["attempts"].get(str(item), 0)
        if tries != failures + 1:
            fail(f"Id {item} failed {failures} time(s) with 503, so it needs {failures + 1} requests; fetch_all made {tries}.")


async def test_when_an_item_does_not_exist_then_it_is_left_out_and_not_retried(polite, within):
    fetch_all = fetcher()
    ids = random.sample(range(1, 9_000), 4)
    gone = random.randint(10_001, 20_000)  # the server answers 404 for these
    polite.configure(limit=3, latency=0.02)
    try:
        got = await within(10, fetch_all(polite.url, [*ids, gone], limit=3, retries=3, backoff=0.02), "fetch_all")
    except AssertionError:
        raise  # already explained
    except Exception as error:  # noqa: BLE001 - what the learner's code raised is the finding
        fail(
            f"fetch_all raised {type(error).__name__} when item {gone} answered 404 Not Found: a 404 is permanent "
            "but not a crash. Leave that id out of the result and return the others."
        )
    stats = polite.stats()
    check_bodies(got, polite, ids)
    if gone in got:
        fail(f"Item {gone} answered 404 Not Found, so it should not be in the result; got {got[gone]!r}.")
    tries = stats["attempts"].get(str(gone), 0)
    if tries != 1:
        fail(f"Item {gone} answered 404 Not Found and was requested {tries} times: a 404 is permanent, retrying can't help.")
