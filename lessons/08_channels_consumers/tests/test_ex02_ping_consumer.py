"""ex02: PingConsumer's connect / receive / disconnect, driven in-process with WebsocketCommunicator."""

import random
import string

from awaitlings.testing import fail, load, need

PATH = "/ws/ping/"


def app():
    consumer = need(load("realtime.consumers"), "PingConsumer", "class")
    return consumer.as_asgi()


async def welcome_of(client) -> dict:
    message = await client.receive("the welcome message")
    if message.get("type") != "welcome" or not isinstance(message.get("online"), int):
        fail(f'On connect the consumer should send {{"type": "welcome", "online": <int>}}, got {message}.')
    return message


async def test_each_welcome_counts_the_open_connections(ws):
    application = app()
    first = await welcome_of(await ws.open(application, PATH))
    second = await welcome_of(await ws.open(application, PATH))
    if second["online"] != first["online"] + 1:
        fail(f"A second client connected, so online should go from {first['online']} to "
             f"{first['online'] + 1}, but the welcome said {second['online']}.")


async def test_a_ping_gets_a_pong_with_the_same_id(ws):
    client = await ws.open(app(), PATH)
    await welcome_of(client)
    ids = [random.randint(1, 10**6), "".join(random.choices(string.ascii_lowercase, k=6)), None]
    for ping_id in ids:
        await client.send({"type": "ping", "id": ping_id})
        reply = await client.receive(f"the pong for ping id {ping_id!r}")
        want = {"type": "pong", "id": ping_id}
        if reply != want:
            fail(f"Sent {{'type': 'ping', 'id': {ping_id!r}}}: expected {want}, got {reply}.")


async def test_an_unknown_message_gets_an_error_and_the_connection_stays_open(ws):
    client = await ws.open(app(), PATH)
    await welcome_of(client)
    kind = "shout-" + "".join(random.choices(string.ascii_lowercase, k=4))
    await client.send({"type": kind, "text": "hello?"})
    reply = await client.receive(f"an error for the unknown type {kind!r}")
    if reply.get("type") != "error" or not reply.get("error"):
        fail(f'A message of unknown type {kind!r} should get {{"type": "error", "error": "..."}}, got {reply}.')
    await client.send({"type": "ping", "id": 42})
    reply = await client.receive("a pong after the error (the connection should still be open)")
    if reply != {"type": "pong", "id": 42}:
        fail(f"After the error, a ping should still get its pong; got {reply}.")


async def test_a_disconnected_client_is_no_longer_counted(ws):
    application = app()
    stays = await ws.open(application, PATH)
    await welcome_of(stays)
    leaves = await ws.open(application, PATH)
    before = (await welcome_of(leaves))["online"]
    await leaves.close()
    after = (await welcome_of(await ws.open(application, PATH)))["online"]
    if after != before:
        fail(f"One client left and one joined, so online should stay {before}, but it became {after}: "
             "disconnect() should forget the connection that closed.")
