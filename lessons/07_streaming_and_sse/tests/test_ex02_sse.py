import json
import random
import re

from awaitlings.testing import fail, load
from support import client, read_sse


def expected_event(seed: int, n: int) -> dict:
    from live.feed import make_event

    return make_event(seed, n)


def check_event(event: dict, n: int, seed: int, what: str) -> None:
    if "id" not in event:
        fail(f"{what}: event {n} has no `id:` field, so a browser that reconnects can't say where it stopped. Got {event}")
    assert event["id"] == str(n), f"{what}: expected event id {n}, got id {event['id']!r}"
    assert event.get("event") == "tick", f"{what}: event {n} should be named `event: tick` (the page listens for 'tick'), got {event.get('event')!r}"
    try:
        data = json.loads(event["data"])
    except ValueError:
        fail(f"{what}: the data of event {n} is not JSON: {event['data']!r}")
    want = expected_event(seed, n)
    assert data == want, f"{what}: event {n} should carry {want}, got {data}"


async def test_each_event_has_an_id_a_name_and_its_data(server, feed_seed):
    load("ex02_sse")
    async with client(server) as http, http.stream("GET", "/ex02/ticks/") as response:
        stream = await read_sse(response, 3, "GET /ex02/ticks/")
    for n, event in enumerate(stream.events, start=1):
        check_event(event, n, feed_seed, "GET /ex02/ticks/")


async def test_the_stream_starts_with_a_retry_delay(server, feed_seed):
    load("ex02_sse")
    async with client(server) as http, http.stream("GET", "/ex02/ticks/") as response:
        stream = await read_sse(response, 1, "GET /ex02/ticks/")
    check_event(stream.events[0], 1, feed_seed, "GET /ex02/ticks/")  # the exercise itself first: a real event
    if stream.retry is None or not stream.retry.isdigit():
        fail(f"GET /ex02/ticks/ should send `retry: <milliseconds>` before its first event, got {stream.retry!r}")
    assert stream.fields_before_first_event[:1] == ["retry"], (
        f"GET /ex02/ticks/ should start with the `retry:` field, started with {stream.fields_before_first_event[:1]}"
    )


async def test_a_reconnecting_client_resumes_after_last_event_id(server, feed_seed):
    load("ex02_sse")
    last = random.randint(5, 500)
    headers = {"Last-Event-ID": str(last)}
    async with client(server) as http, http.stream("GET", "/ex02/ticks/", headers=headers) as response:
        stream = await read_sse(response, 2, f"GET /ex02/ticks/ with Last-Event-ID: {last}")
    first = stream.events[0]
    if first.get("id") != str(last + 1):
        fail(
            f"A browser reconnecting with Last-Event-ID: {last} should get event {last + 1} next, "
            f"but the first event had id {first.get('id')!r}."
        )
    for n, event in enumerate(stream.events, start=last + 1):
        check_event(event, n, feed_seed, f"GET /ex02/ticks/ with Last-Event-ID: {last}")


async def test_the_response_tells_caches_and_proxies_not_to_buffer(server):
    load("ex02_sse")
    async with client(server) as http, http.stream("GET", "/ex02/ticks/") as response:
        headers = response.headers
    assert headers.get("content-type", "").startswith("text/event-stream"), (
        f"Content-Type should be text/event-stream, got {headers.get('content-type')!r}"
    )
    assert "no-cache" in headers.get("cache-control", ""), (
        f"Cache-Control should be no-cache (a cache must never replay a live stream), got {headers.get('cache-control')!r}"
    )
    assert headers.get("x-accel-buffering") == "no", (
        f"X-Accel-Buffering should be 'no' so that nginx passes every event on at once, got {headers.get('x-accel-buffering')!r}"
    )


async def test_the_page_shows_the_stream(server, feed_seed):
    load("ex02_sse")
    async with client(server) as http:
        page = await http.get("/")
        match = re.search(r'new EventSource\("([^"]+)"\)', page.text)
        assert page.status_code == 200 and match, "the live page at / should open an EventSource"
        url = match[1]
        headers = {"Accept": "text/event-stream"}  # what a browser's EventSource sends
        async with http.stream("GET", url, headers=headers) as response:
            stream = await read_sse(response, 2, f"the page's EventSource ({url})")
    for n, event in enumerate(stream.events, start=1):
        check_event(event, n, feed_seed, f"the page's EventSource ({url})")


async def test_an_unreadable_last_event_id_starts_from_the_beginning(server, feed_seed):
    load("ex02_sse")
    garbage = random.choice(["banana", "-", "12abc", ""])
    headers = {"Last-Event-ID": garbage}
    async with client(server) as http, http.stream("GET", "/ex02/ticks/", headers=headers) as response:
        stream = await read_sse(response, 1, f"GET /ex02/ticks/ with Last-Event-ID: {garbage!r}")
    check_event(stream.events[0], 1, feed_seed, f"GET /ex02/ticks/ with an unreadable Last-Event-ID {garbage!r}")
