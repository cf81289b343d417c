"""ex02: project/layers.py picks the in-memory layer by default and the Redis layer when REDIS_URL is
set, so two server processes share groups."""

import asyncio
import random
import string

from awaitlings.testing import fail, load, need
from support import room_name
from django.utils.module_loading import import_string


def channel_layers():
    return need(load("project.layers"), "channel_layers", "function")


def backend_of(config: dict, env: str) -> str:
    try:
        return config["default"]["BACKEND"]
    except (TypeError, KeyError):
        fail(f"channel_layers({env}) should return {{'default': {{'BACKEND': ..., ...}}}}, got {config!r}.")


def redis_backend_chosen() -> None:
    """Precondition: the in-memory default alone is what the starter already returns, so the default's
    test only counts once the layer also switches to Redis (the same sentence as the Redis test's); and
    the two-process tests start their servers only then (on in-memory layers they can't share a group,
    so waiting for a message between them would only run out the clock)."""
    backend = backend_of(channel_layers()({"REDIS_URL": "redis://127.0.0.1:6379/0"}), "{'REDIS_URL': ...}")
    if backend != "channels_redis.core.RedisChannelLayer":
        fail(f"With REDIS_URL set the backend should be channels_redis.core.RedisChannelLayer, got {backend}.")


def test_without_redis_url_the_in_memory_layer_is_used():
    redis_backend_chosen()
    for env in ({}, {"HOME": "/home/ana"}):
        backend = backend_of(channel_layers()(env), repr(env))
        if backend != "channels.layers.InMemoryChannelLayer":
            fail(f"Without REDIS_URL the chat should run on channels.layers.InMemoryChannelLayer, got {backend}.")


async def test_with_redis_url_the_redis_layer_carries_a_group_message(redis_url):
    env = {"REDIS_URL": redis_url}
    config = channel_layers()(env)
    backend = backend_of(config, "{'REDIS_URL': ...}")
    if backend != "channels_redis.core.RedisChannelLayer":
        fail(f"With REDIS_URL set the backend should be channels_redis.core.RedisChannelLayer, got {backend}.")
    try:
        layer = import_string(backend)(**config["default"].get("CONFIG", {}))
    except Exception as error:  # noqa: BLE001
        fail(f"Building the layer from your CONFIG failed: {type(error).__name__}: {error}")
    group = "probe-" + "".join(random.choices(string.ascii_lowercase, k=8))
    try:
        channel = await layer.new_channel()
        await asyncio.wait_for(layer.group_add(group, channel), 2)
        await asyncio.wait_for(layer.group_send(group, {"type": "chat.message", "text": group}), 2)
        got = await asyncio.wait_for(layer.receive(channel), 2)
        if got.get("text") != group:
            fail(f"A group_send through your layer came back as {got}.")
        import redis.asyncio as redis

        client = redis.from_url(redis_url)
        try:
            keys = await client.keys(f"*{group}*")
        finally:
            await client.aclose()
        if not keys:
            fail(f"The layer works, but not on the Redis at REDIS_URL ({redis_url}): use env['REDIS_URL'] "
                 "for the host instead of a fixed address.")
    except (TimeoutError, asyncio.TimeoutError, OSError) as error:
        fail(f"Your Redis layer could not talk to REDIS_URL={redis_url}: {type(error).__name__}: {error}")
    finally:
        await layer.close_pools()


async def test_two_server_processes_deliver_each_others_messages(request, ws):
    redis_backend_chosen()  # with in-memory layers two processes never share a group: no need to wait and see
    one, two = request.getfixturevalue("servers")
    path = f"/ws/chat/{room_name()}/"
    ana, ben = await ws.open_server(one, path), await ws.open_server(two, path)
    await ana.send({"user": "ana", "text": "hi from server one"})
    got = await ana.receive("ana's own message back from server one")
    if got.get("text") != "hi from server one":
        fail(f"ana's own message came back as {got}: make ex01 pass first.")
    got = await ben.receive("ana's message, sent through the other server process")
    if got != {"type": "message", "user": "ana", "text": "hi from server one"}:
        fail(f"ben (on server two) expected ana's message, got {got}.")
    await ben.send({"user": "ben", "text": "and back from server two"})
    got = await ana.receive("ben's reply, sent through the other server process")
    if got.get("text") != "and back from server two":
        fail(f"ana (on server one) expected ben's reply, got {got}.")


async def test_nothing_is_lost_between_processes(request, ws):
    redis_backend_chosen()
    servers = request.getfixturevalue("servers")
    path = f"/ws/chat/{room_name()}/"
    clients = await asyncio.gather(*(ws.open_server(servers[i % 2], path) for i in range(6)))
    sent = {f"c{i}-m{j}-{random.randint(0, 10**6)}" for i in range(6) for j in range(3)}
    await asyncio.gather(*(clients[int(t[1])].send({"user": t[:2], "text": t}) for t in sorted(sent)))

    async def drain(client) -> set:
        return {(await client.receive(f"all {len(sent)} messages of the room"))["text"] for _ in range(len(sent))}

    for i, got in enumerate(await asyncio.gather(*(drain(c) for c in clients))):
        if got != sent:
            fail(f"Client {i} (on server {i % 2 + 1}) missed {len(sent - got)} of {len(sent)} messages.")
