"""Exercise 3: /ws/notify/ joins the user's group (user.<id>) and forwards `notify` events."""

import asyncio
import json

import pytest
from awaitlings.testing import fail, load
from awaitlings.testing.celery import wait_result


async def opened(socket, who: str) -> None:
    """Connect, turning a crash in connect() into one sentence (Channels 4 checks group names there)."""
    load("ex03_notify_consumer")
    try:
        connecting = asyncio.ensure_future(socket.connect(timeout=1))
        # A consumer that raises in connect() never answers, and the communicator would wait out its whole
        # timeout before showing the error: whichever comes first, the answer or the consumer's end.
        await asyncio.wait({connecting, socket.future}, return_when=asyncio.FIRST_COMPLETED)
        if not connecting.done() and not socket.future.cancelled() and socket.future.exception() is not None:
            connecting.cancel()
            socket.future.result()
        connected, code = await connecting
    except Exception as error:  # noqa: BLE001 - the consumer's exception, raised by the communicator
        fail(f"Opening /ws/notify/ as {who} raised {type(error).__name__}: {error}")
    if not connected:
        fail(f"/ws/notify/ refused {who}, who is logged in (close code {code}).")


async def quietly_closed(socket) -> None:
    """Close a test socket; a consumer already gone (it failed the test) has nothing left to say."""
    try:
        await socket.disconnect(timeout=1)
    except (asyncio.CancelledError, asyncio.TimeoutError, Exception):  # noqa: BLE001
        pass


async def next_json(socket, timeout: float = 2.0):
    try:
        return await socket.receive_json_from(timeout=timeout)
    except asyncio.TimeoutError:
        return None


async def send_to_user(user_id: int, data: dict) -> None:
    """What notify_user does in a worker, done from here: one group_send on the channel layer."""
    from channels.layers import get_channel_layer

    from realtime.bridge import user_group

    await get_channel_layer().group_send(user_group(user_id), {"type": "notify", "data": data})


@pytest.mark.django_db(transaction=True)
async def test_a_visitor_who_is_not_logged_in_gets_no_notification_socket(socket_to):
    load("ex03_notify_consumer")
    socket = socket_to("/ws/notify/")
    try:
        connected, _ = await socket.connect(timeout=1)
        if connected:
            closed = await socket.receive_output(timeout=2)
            if closed.get("type") != "websocket.close":
                fail(f"A visitor who isn't logged in kept a notification socket open (it got {closed}).")
        await socket.disconnect(timeout=1)  # Channels calls disconnect() on a refused socket too
    except asyncio.TimeoutError:
        fail("A visitor who isn't logged in got a notification socket that stayed open: refuse it or close it.")
    except Exception as error:  # noqa: BLE001
        fail(f"Refusing a visitor who isn't logged in raised {type(error).__name__}: {error}. A refused socket "
             "still gets disconnect() called: it never joined a group.")
    finally:
        await quietly_closed(socket)


@pytest.mark.django_db(transaction=True)
async def test_each_user_receives_their_own_notifications_and_nobody_elses(socket_to, people):
    alice, bob = socket_to("/ws/notify/", people["alice"]), socket_to("/ws/notify/", people["bob"])
    await opened(alice, "alice")
    await opened(bob, "bob")
    try:
        await send_to_user(people["alice"].pk, {"event": "ping", "text": "for alice"})
        got = await next_json(alice)
        if got != {"event": "ping", "text": "for alice"}:
            fail(f"notify_user(alice) sends to the group user.{people['alice'].pk}; alice's socket should "
                 f"forward the event's data as JSON, but it received {got}.")
        if (leaked := await next_json(bob, 0.2)) is not None:
            fail(f"bob's socket received alice's notification: {leaked}. Each user needs a group of their own.")
    finally:
        for socket in (alice, bob):
            await quietly_closed(socket)


@pytest.mark.django_db(transaction=True)
async def test_a_closed_socket_leaves_the_users_group(socket_to, people, redis_url):
    import redis.asyncio as aioredis

    socket = socket_to("/ws/notify/", people["alice"])
    await opened(socket, "alice")
    key = f"capstone:group:user.{people['alice'].pk}"  # where channels_redis keeps the group's members
    client = aioredis.from_url(redis_url)
    try:
        for _ in range(50):  # connect() may accept before it joins the group
            if await client.zcard(key):
                break
            await asyncio.sleep(0.02)
        if await client.zcard(key) != 1:
            fail(f"After connecting, alice's socket should be the one member of the group user.{people['alice'].pk}.")
        await socket.disconnect()
        await asyncio.sleep(0.05)
        if (left := await client.zcard(key)) != 0:
            fail(f"After the socket closed, the group still has {left} member(s): leave it in disconnect(), "
                 "or every notification keeps going to a dead channel until it expires.")
    finally:
        await client.aclose()


@pytest.mark.django_db(transaction=True)
async def test_a_notification_from_a_worker_reaches_a_socket_on_a_real_server(web, worker, people, ws_options,
                                                                          socket_to):
    import websockets
    from asgiref.sync import sync_to_async

    from realtime.tasks import ping_user

    # The same consumer in this process first: one that can't even open here (it raises in connect(), or
    # refuses alice) would leave the real server's handshake hanging for seconds before saying so.
    probe = socket_to("/ws/notify/", people["alice"])
    try:
        await opened(probe, "alice")
    finally:
        await quietly_closed(probe)
    try:
        async with websockets.connect(f"ws://127.0.0.1:{web.port}/ws/notify/", **ws_options(web, people["alice"])) as ws:
            await asyncio.sleep(0.1)  # the server joins the group after the handshake
            result = await sync_to_async(ping_user.delay)(people["alice"].pk, "from the worker")
            await sync_to_async(wait_result)(result, worker, timeout=5, task="ping_user")
            try:
                got = json.loads(await asyncio.wait_for(ws.recv(), 3))
            except asyncio.TimeoutError:
                fail("A worker process pushed a notification to alice (realtime.tasks.ping_user), but her socket on "
                     "the uvicorn server received nothing within 3 s.")
    except websockets.ConnectionClosed as closed:
        fail(f"The server closed alice's notification socket (code {closed.rcvd.code if closed.rcvd else None}). "
             f"Server log: {web.output()[-600:]}")
    except websockets.InvalidStatus as refused:
        fail(f"The server refused alice's notification socket ({refused.response.status_code}). "
             f"Server log: {web.output()[-600:]}")
    if got != {"event": "ping", "text": "from the worker"}:
        fail(f"Expected the worker's payload as JSON, got {got}.")
