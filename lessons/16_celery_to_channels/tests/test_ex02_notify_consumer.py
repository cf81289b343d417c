"""Exercise 2: NotifyConsumer lets signed-in users in, joins each socket to its user's group, forwards
notify messages (the payload, to every tab of that user only), leaves on disconnect, and hands a
"start" request to a Celery worker whose completion comes back over the same socket."""

import os
import random

import pytest
from awaitlings.testing import fail

NEEDED_BY = "Exercise 2"
# A consumer closes stale database connections around each message, so the database must be open.
# The real server boots while the in-process tests run.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("server_started")]


def user(uid: int, name: str = "ana"):
    from django.contrib.auth import get_user_model

    return get_user_model()(pk=uid, username=f"{name}-{uid}")  # authenticated; no row needed


async def connect(app, who: str):
    from channels.testing import WebsocketCommunicator

    communicator = WebsocketCommunicator(app, "/ws/notify/")
    try:
        connected, code = await communicator.connect(timeout=2)
    except Exception as error:  # noqa: BLE001
        fail(f"{who}'s connect() raised {type(error).__name__}: {error}")
    if not connected:
        fail(f"{who} is signed in, but the socket was refused (code {code}).")
    return communicator


async def receive(communicator, who: str, what: str, timeout: float = 2.0) -> dict:
    try:
        return await communicator.receive_json_from(timeout=timeout)
    except TimeoutError:
        fail(f"{who}'s socket received nothing within {timeout:g} s (expected {what}).")
    except ValueError as error:
        if "No handler for message type" in str(error):
            fail(f"The push ended {who}'s connection: {error}. Channels calls the consumer method named after "
                 "the message's type.")
        raise
    raise AssertionError("unreachable")


async def test_a_push_reaches_every_tab_of_the_user_and_nobody_else(as_user, group_of, new_user_id):
    from channels.layers import get_channel_layer

    ana, ben = new_user_id(), new_user_id()
    group = group_of(ana, needed_by=NEEDED_BY)
    tabs = [await connect(as_user(user(ana)), "ana (tab 1)"), await connect(as_user(user(ana)), "ana (tab 2)")]
    ben_tab = await connect(as_user(user(ben, "ben")), "ben")
    payload = {"event": "hello", "n": random.randint(1, 10**6)}
    await get_channel_layer().group_send(group, {"type": "notify", "data": payload})
    if not await ben_tab.receive_nothing(timeout=0.1):
        fail(f"A push to ana's group {group!r} reached ben's socket.")
    for i, tab in enumerate(tabs, 1):
        got = await receive(tab, f"ana (tab {i})", f"the push to her group {group!r}: did connect() join it?")
        if got != payload:
            fail(f"ana's socket should receive the push's data {payload}; it received {got}.")
    for communicator in (*tabs, ben_tab):
        await communicator.disconnect()


async def test_anonymous_visitors_are_refused(as_user):
    from channels.testing import WebsocketCommunicator
    from django.contrib.auth.models import AnonymousUser

    communicator = WebsocketCommunicator(as_user(AnonymousUser()), "/ws/notify/")
    connected, _ = await communicator.connect(timeout=2)
    if connected:
        closed = await communicator.receive_output(timeout=1) if not await communicator.receive_nothing(0.1) else {}
        await communicator.disconnect()
        if closed.get("type") != "websocket.close":
            fail("An anonymous visitor's socket was accepted and left open: refuse users who aren't signed in.")


async def test_disconnect_leaves_the_group(as_user, group_of, new_user_id):
    import redis.asyncio as redis
    from channels.layers import get_channel_layer

    uid = new_user_id()
    group = group_of(uid, needed_by=NEEDED_BY)
    key = get_channel_layer()._group_key(group)  # noqa: SLF001 - channels_redis keeps members in a sorted set
    client = redis.from_url(os.environ["REDIS_URL"])
    try:
        communicator = await connect(as_user(user(uid)), "ana")
        if await client.zcard(key) != 1:
            fail(f"After connect, the group {group!r} should have this socket as its one member; it has "
                 f"{await client.zcard(key)}.")
        await communicator.disconnect()
        left = await client.zcard(key)
        if left:
            fail(f"After disconnect, the group {group!r} still lists the socket: every push would be queued for a "
                 "channel nobody reads, until group_expiry (a day). Leave the group in disconnect().")
    finally:
        await client.aclose()


async def test_a_start_request_goes_to_a_worker_and_its_result_comes_back(celery_worker, as_user, group_of,
                                                                         new_user_id):
    uid = new_user_id()
    group_of(uid, needed_by=NEEDED_BY)
    tab = await connect(as_user(user(uid)), "ana")
    await tab.send_json_to({"action": "start", "steps": 3})
    accepted = await receive(tab, "ana", '{"event": "accepted", ...} at once', timeout=1)
    if accepted.get("event") != "accepted" or not isinstance(accepted.get("task_id"), str):
        fail(f'The first answer to a start request should be {{"event": "accepted", "task_id": ...}}; it was {accepted}.')
    want_url = f"/api/reports/{accepted['task_id']}/"
    if accepted.get("status_url") != want_url:
        fail(f"The accepted answer should carry status_url {want_url!r}; it had {accepted.get('status_url')!r}.")
    while True:  # progress events may come first (exercise 3); the worker's "done" must come
        event = await receive(tab, "ana", f"the worker's done event for task {accepted['task_id']}", timeout=4)
        if event.get("event") == "done" and event.get("task_id") == accepted["task_id"]:
            break
    if event.get("result") != {"rows": 3, "total": 5}:
        fail(f"The done event should carry the report's result {{'rows': 3, 'total': 5}}; it was {event}.")
    await tab.disconnect()


@pytest.mark.parametrize("bad", [{"action": "start", "steps": 0}, {"action": "start", "steps": "3"},
                                 {"action": "start", "steps": 101}, {"action": "start", "steps": True},
                                 {"action": "stop"}, {"steps": 3}, [1, 2]])
async def test_a_bad_request_gets_an_error_queues_nothing_and_the_socket_stays_open(as_user, group_of, new_user_id,
                                                                                    publishes, bad):
    uid = new_user_id()
    group_of(uid, needed_by=NEEDED_BY)
    tab = await connect(as_user(user(uid)), "ana")
    await tab.send_json_to(bad)
    answer = await receive(tab, "ana", '{"event": "error", "error": ...}', timeout=1)
    if answer.get("event") != "error" or not answer.get("error"):
        fail(f'{bad} should be answered with {{"event": "error", "error": "..."}}; the answer was {answer}.')
    if publishes:
        fail(f"{bad} queued a task ({publishes[0]['task']}); nothing should be queued for a bad request.")
    await tab.send_json_to({"action": "start", "steps": 1})
    answer = await receive(tab, "ana", "an answer to a good start request after a bad one", timeout=1)
    if answer.get("event") != "accepted":
        fail(f"After a bad request the socket should still serve good ones; a start of 1 step got {answer}.")
    await tab.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_on_a_real_server_a_signed_in_browser_starts_a_report_and_hears_it_finish(server, sign_in, group_of):
    import json

    import websockets
    from asgiref.sync import sync_to_async

    ana, cookie = await sync_to_async(sign_in)("ana")
    group_of(ana.pk, needed_by=NEEDED_BY)
    url = f"ws://127.0.0.1:{server.port}/ws/notify/"
    try:
        async with websockets.connect(url, open_timeout=3, origin=server.url, additional_headers={"Cookie": cookie}) as ws:
            await ws.send(json.dumps({"action": "start", "steps": 2}))
            events = []
            async with __import__("asyncio").timeout(5):
                while not events or events[-1].get("event") not in ("done", "error"):
                    events.append(json.loads(await ws.recv()))
    except TimeoutError:
        fail(f"Over uvicorn, a signed-in browser sent a start request and heard {events} within 5 s, no done event.")
    except websockets.exceptions.InvalidStatus as error:
        fail(f"uvicorn refused a signed-in user's WebSocket: {error}.\n{server.output()[-800:]}")
    except websockets.exceptions.ConnectionClosed as error:
        fail(f"uvicorn closed the socket ({error}) after {events}.\n{server.output()[-800:]}")
    kinds = [e.get("event") for e in events]
    if kinds[0] != "accepted" or kinds[-1] != "done":
        fail(f"Over uvicorn the socket should answer accepted, then (from the worker) done; it sent {kinds}.")
    try:
        async with websockets.connect(url, open_timeout=3, origin=server.url):
            fail("uvicorn accepted a WebSocket without a session cookie: refuse anonymous visitors.")
    except websockets.exceptions.InvalidStatus:
        pass
