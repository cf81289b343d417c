"""Exercise 3: with LayerGuard, a Redis outage is announced to ws, and the room recovers."""

import asyncio
import random

import pytest

from support import name


@pytest.fixture
def room_app(settings, private_redis, direct_outbox):
    """The course's RoomConsumer on a Redis channel layer of the test's own Redis (presence off)."""
    from channels.routing import URLRouter
    from django.urls import path

    from awaitlings.testing import load

    from rooms.consumers import RoomConsumer

    load("ex03_layer_guard")  # import it now, not inside the event loop during the test

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [private_redis.url]}}
    }
    settings.REDIS_URL = ""  # presence is exercise 1's business
    settings.LAYER_RETRY_DELAY = 0.1

    class Room(RoomConsumer):
        def make_outbox(self):
            return direct_outbox(self.send_json)

    return URLRouter([path("ws/room/<slug:room>/", Room.as_asgi())])


def status(layer):
    return lambda frame: frame.get("type") == "status" and frame.get("layer") == layer


async def join(ws, app, room, user):
    client = ws.client(app, f"/ws/room/{room}/?user={user}", label=user)
    await client.open()
    await client.wait_for("the hello frame", lambda f: f.get("type") == "hello")
    return client


async def chat_gets_through(sender, receiver, what):
    text = f"hello {random.randint(1, 10**6)}"
    await sender.send({"type": "chat", "text": text})
    await receiver.wait_for(f"{sender.label}'s chat message {text!r} {what}",
                            lambda f: f.get("type") == "chat" and f.get("text") == text, timeout=2)


async def test_when_redis_goes_away_clients_are_told_and_stay_connected(room_app, private_redis, ws):
    room = name("room")
    ann, ben = await join(ws, room_app, room, "ann"), await join(ws, room_app, room, "ben")
    await chat_gets_through(ann, ben, "(Redis is up)")
    private_redis.stop()
    await ben.wait_for('{"type": "status", "layer": "down"} after Redis went away', status("down"))
    text = f"lost {random.randint(1, 10**6)}"
    await ann.send({"type": "chat", "text": text})
    await ann.wait_for(f'{{"type": "undelivered"}} for {text!r} sent while Redis is down',
                       lambda f: f.get("type") == "undelivered" and f.get("text") == text)
    await ann.send({"type": "heartbeat"})
    await ann.wait_for("an answer to a heartbeat: the connection should stay open and served",
                       lambda f: f.get("type") == "presence")


async def test_when_redis_comes_back_the_room_works_again(room_app, private_redis, ws):
    room = name("room")
    ann, ben = await join(ws, room_app, room, "ann"), await join(ws, room_app, room, "ben")
    private_redis.stop()
    await ben.wait_for('{"type": "status", "layer": "down"}', status("down"))
    await asyncio.sleep(0.3)  # a few failed retries
    private_redis.start()  # same port, empty: it has forgotten every group
    await ben.wait_for('{"type": "status", "layer": "up"} after Redis came back', status("up"), timeout=3)
    await ann.wait_for('{"type": "status", "layer": "up"} after Redis came back', status("up"), timeout=3)
    await chat_gets_through(ann, ben, "after Redis came back (did both rejoin the group?)")


async def test_a_client_that_connects_during_the_outage_joins_when_redis_is_back(room_app, private_redis, ws):
    room = name("room")
    ann = await join(ws, room_app, room, "ann")
    private_redis.stop()
    await ann.wait_for('{"type": "status", "layer": "down"}', status("down"))
    cal = ws.client(room_app, f"/ws/room/{room}/?user=cal", label="cal (connected during the outage)")
    await cal.open()
    await cal.wait_for('{"type": "status", "layer": "down"}', status("down"))
    private_redis.start()
    await cal.wait_for('{"type": "status", "layer": "up"}', status("up"), timeout=3)
    await ann.wait_for('{"type": "status", "layer": "up"}', status("up"), timeout=3)
    await chat_gets_through(ann, cal, "after Redis came back (cal must join the group it couldn't join at connect)")


class FakeLayer:
    """Down until `up` is set; its receive() never returns, like a consumer waiting while another
    consumer of the process holds channels_redis' receive lock."""

    def __init__(self):
        from redis.exceptions import ConnectionError as RedisConnectionError

        self.error = RedisConnectionError
        self.up = False
        self.members: dict[str, set] = {}

    async def group_add(self, group, channel):
        if not self.up:
            raise self.error("Error 111 connecting to 127.0.0.1. Connection refused.")
        self.members.setdefault(group, set()).add(channel)

    async def group_discard(self, group, channel):
        self.members.get(group, set()).discard(channel)

    async def group_send(self, group, message):
        if not self.up:
            raise self.error("Error 111 connecting to 127.0.0.1. Connection refused.")

    async def receive(self, channel):
        await asyncio.Event().wait()


async def test_recovery_does_not_wait_for_receive_to_fail():
    from awaitlings.testing import fail, load, need

    guard_class = need(load("ex03_layer_guard"), "LayerGuard", "class")
    layer, told = FakeLayer(), []

    async def notify(message):
        told.append(message)

    guard = guard_class(layer, "specific.abc!def", notify=notify, retry_delay=0.05)
    receiving = asyncio.create_task(guard.receive())
    try:
        try:
            await guard.join("room.lobby")
        except Exception as error:  # noqa: BLE001
            fail(f"join() while Redis is down raised {type(error).__name__}: {error}; it should tell the client instead.")
        if {"type": "status", "layer": "down"} not in told:
            fail(f"join() failed because Redis is down, so the client should be told 'down'; it was told {told}.")
        await asyncio.sleep(0.1)
        layer.up = True  # Redis is back; receive() just keeps waiting, as it would in a busy process
        for _ in range(100):
            if {"type": "status", "layer": "up"} in told:
                break
            await asyncio.sleep(0.01)
        else:
            fail("Redis came back, but the guard never said 'up': its receive() was waiting quietly (no error to "
                 "react to). Recovery needs its own loop: retry group_add every retry_delay until it works.")
        assert "specific.abc!def" in layer.members.get("room.lobby", set()), (
            "The guard said 'up' but did not join room.lobby again."
        )
    finally:
        receiving.cancel()
        close = getattr(guard, "close", None)
        if close:
            await close()
