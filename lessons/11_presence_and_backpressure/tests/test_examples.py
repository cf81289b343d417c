"""The lesson's own claims, run by `awaitlings verify` and CI (never by a learner's check), on real
uvicorn processes and real Redis:

- a burst: group_send drops for a slow naive consumer; the Outbox consumer ends up to date (bench.py);
- graceful shutdown: SIGTERM gives clients 1012 and presence is cleaned up by disconnect();
- a killed server leaves a ghost in presence, which expires by TTL;
- a Redis outage: the server keeps running, clients are told, and the room works again after."""

import asyncio
import json
import os
import signal
import subprocess

import pytest
from awaitlings.testing import ServerProcess, load, need_redis_server
from support import name

ORIGIN = "http://127.0.0.1"
SERVER = ["{python}", "-m", "uvicorn", "project.asgi:application", "--port", "{port}", "--lifespan", "off"]


async def test_a_burst_drops_for_a_slow_naive_consumer_but_not_behind_an_outbox(redis_url, settings):
    from bench import burst

    # The checker runs tests with asyncio's debug mode on, which slows the loop down too much to
    # measure throughput: this measurement runs like `python bench.py` does.
    asyncio.get_running_loop().set_debug(False)
    settings.CHANNEL_LAYERS = settings.CHANNEL_LAYERS  # restored after the test; burst() replaces it
    result = await burst(redis_url, updates=200, rate=200, delay=0.02, capacity=50, idle=0.5)
    naive, outbox = result["naive"], result["outbox"]
    assert naive["frames"] < 200 and result["over_capacity_log_lines"] > 0, result
    assert outbox["final_prices_right"], result
    assert outbox["frames"] < 200, result  # coalesced, not every update


async def ws(server, room, user):
    from websockets.asyncio.client import connect

    return await connect(f"ws://127.0.0.1:{server.port}/ws/room/{room}/?user={user}", origin=ORIGIN, proxy=None,
                         open_timeout=5, close_timeout=2)


async def frame_where(sock, match, what, timeout=3.0):
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await sock.recv())
            if match(frame):
                return frame


async def members(redis, room):
    return sorted(m.decode() for m in await redis.zrange(f"presence:{room}", 0, -1))


async def test_sigterm_tells_clients_1012_and_cleans_up_presence(redis_url, redis):
    from websockets.exceptions import ConnectionClosed

    room, user = name("room"), name("user")
    server = ServerProcess(SERVER, env={"REDIS_URL": redis_url}).start().wait_ready()
    try:
        sock = await ws(server, room, user)
        await frame_where(sock, lambda f: f["type"] == "hello", "hello")
        assert await members(redis, room) == [user]
        await asyncio.to_thread(server.stop)  # SIGTERM: uvicorn's graceful shutdown
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(5):
                while True:
                    await sock.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012, closed.value
        assert await members(redis, room) == [], "disconnect() should have removed the user"
    finally:
        server.stop()


async def test_a_killed_server_leaves_a_ghost_that_presence_expires(redis_url, redis):
    room, user = name("room"), name("user")
    server = ServerProcess(SERVER, env={"REDIS_URL": redis_url, "PRESENCE_TTL": "1"}).start().wait_ready()
    try:
        sock = await ws(server, room, user)
        await frame_where(sock, lambda f: f["type"] == "hello", "hello")
        os.killpg(server.process.pid, signal.SIGKILL)  # no disconnect(), no cleanup
        server.process.wait(timeout=5)
        assert await members(redis, room) == [user], "the killed server's user should still be in the set"
        await asyncio.sleep(1.3)
        presence = load("ex01_presence").Presence(redis, ttl=1.0)
        assert await presence.online(room) == [], "after the TTL the ghost should be gone"
    finally:
        server.stop()


async def test_a_real_server_survives_a_redis_outage(redis_url):
    redis_server = need_redis_server()
    redis_server.start()
    env = {"REDIS_URL": redis_server.url}
    server = ServerProcess(SERVER, env=env).start().wait_ready()
    try:
        room = name("room")
        ann, ben = await ws(server, room, "ann"), await ws(server, room, "ben")
        for sock in (ann, ben):
            await frame_where(sock, lambda f: f["type"] == "hello", "hello")
        redis_server.stop()
        for sock in (ann, ben):
            await frame_where(sock, lambda f: f == {"type": "status", "layer": "down"}, "down")
        await ann.send(json.dumps({"type": "chat", "text": "lost"}))
        await frame_where(ann, lambda f: f["type"] == "undelivered", "undelivered")
        redis_server.start()
        for sock in (ann, ben):
            await frame_where(sock, lambda f: f == {"type": "status", "layer": "up"}, "up", timeout=5)
        await ann.send(json.dumps({"type": "chat", "text": "back"}))
        got = await frame_where(ben, lambda f: f["type"] == "chat", "chat")
        assert got["text"] == "back", got
        assert server.process.poll() is None, "the server process should still be running"
        for sock in (ann, ben):
            await sock.close()
    finally:
        server.stop()
        redis_server.stop()


@pytest.fixture(scope="module")
def two_servers(redis_url):
    """Two uvicorn processes sharing a Redis of this module's own."""
    redis_server = need_redis_server()
    redis_server.start()
    env = {"REDIS_URL": redis_server.url}
    servers = [ServerProcess(SERVER, env=env).start() for _ in range(2)]
    try:
        for server in servers:
            server.wait_ready()
        yield redis_server, servers
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


def test_two_pages_on_two_servers_see_each_other_and_ride_out_a_redis_blip(two_servers, browser):
    redis_server, (a, b) = two_servers
    room = name("room")
    context = browser.new_context()
    try:
        alice, bob = context.new_page(), context.new_page()
        context.set_default_timeout(6_000)
        alice.goto(f"{a.url}/room/{room}/?user=alice")
        bob.goto(f"{b.url}/room/{room}/?user=bob")
        alice.wait_for_selector("#online li:has-text('bob')")  # presence across servers
        bob.fill("#text", "hello from the other server")
        bob.press("#text", "Enter")
        alice.wait_for_selector("text=bob: hello from the other server")
        subprocess.run(["redis-cli", "-p", str(redis_server.port), "client", "kill", "type", "normal"],
                       capture_output=True, timeout=5)
        alice.wait_for_selector("body[data-outages='1']")  # told: "server lost Redis"
        alice.wait_for_selector("#banner:has-text('connected as alice')")  # recovered, never disconnected
        bob.fill("#text", "after the blip")
        bob.press("#text", "Enter")
        alice.wait_for_selector("text=bob: after the blip")
    finally:
        context.close()
