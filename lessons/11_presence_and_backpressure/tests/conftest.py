"""Fixtures for lesson 11.

- `redis`: a redis.asyncio client on the `redis_url` fixture ($REDIS_URL or a private redis-server);
- `private_redis`: a redis-server of this test's own, on a free port, that the test can stop and
  start again on the same port (never the shared or the learner's Redis);
- `clients`: in-process WebSocket clients (WebsocketCommunicator) with readable failures.
Every wait has a timeout; every client, connection and process is closed when the test ends."""

import asyncio
import json
import os
import secrets
import shutil
import subprocess

import pytest
from awaitlings.testing import fail, free_port, wait_for_port


def name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each test gets new layer objects: their queues and Redis pools belong to one event loop."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
async def redis(redis_url):
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


class RedisServer:
    """A redis-server process the test owns: `stop()` is an outage, `start()` brings it back."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_for_port(self.port, 10, process=self.process)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # an outage, not a polite shutdown
            self.process.wait(timeout=5)


def need_redis_server() -> RedisServer:
    """A stoppable Redis needs the redis-server binary ($REDIS_URL alone won't do): skip locally, fail in CI."""
    server = RedisServer()
    if not server.binary:
        message = "needs redis-server on PATH to stop and restart Redis (`sudo apt-get install redis-server`)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI must provide it)", pytrace=False)
        pytest.skip(message)
    return server


@pytest.fixture
def private_redis(redis_url):
    """Depends on redis_url only for its skip/fail rule when Redis isn't available at all."""
    server = need_redis_server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Client:
    """A WebsocketCommunicator that reports an application crash at once, in plain words."""

    def __init__(self, app, path, headers=(), label="the client"):
        from channels.testing import WebsocketCommunicator

        self.path = path
        self.label = label
        self.comm = WebsocketCommunicator(app, path, headers=list(headers))
        self.seen: list = []

    async def receive_output(self, timeout):
        getter = asyncio.ensure_future(self.comm.output_queue.get())
        done, _ = await asyncio.wait({getter, self.comm.future}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if self.comm.future.done():
            self.comm.future.result()  # raises what the app raised
            return {"type": "websocket.close", "code": 1000}
        raise asyncio.TimeoutError

    async def connect(self):
        await self.comm.send_input({"type": "websocket.connect"})
        try:
            response = await self.receive_output(2)
        except asyncio.TimeoutError:
            fail(f"{self.label}: opening {self.path} was neither accepted nor refused within 2 s.")
        except Exception as error:  # noqa: BLE001
            fail(f"{self.label}: opening {self.path} crashed the consumer with {type(error).__name__}: {error}")
        if response["type"] != "websocket.accept":
            fail(f"{self.label}: opening {self.path} was refused ({response}).")

    async def next(self, timeout=1.0):
        try:
            out = await self.receive_output(timeout)
        except asyncio.TimeoutError:
            return ("timeout", None)
        except Exception as error:  # noqa: BLE001
            return ("crash", f"{type(error).__name__}: {error}")
        if out["type"] == "websocket.close":
            return ("close", out.get("code", 1000))
        return ("frame", json.loads(out["text"]))

    async def wait_for(self, what: str, match, timeout=2.0):
        """Read frames until `match(frame)` is true; fail with what happened instead."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            kind, value = await self.next(max(left, 0.01)) if left > 0 else ("timeout", None)
            if kind == "frame":
                self.seen.append(value)
                if match(value):
                    return value
                continue
            if kind == "crash":
                fail(f"{self.label} waited for {what}, but the consumer crashed with {value}; a server closes "
                     "the socket with 1011 (and does that to every client of the process).")
            if kind == "close":
                fail(f"{self.label} waited for {what}, but the connection was closed with {value}.")
            recent = ", ".join(json.dumps(v)[:80] for v in self.seen[-3:]) or "nothing"
            fail(f"{self.label} waited {timeout:g} s for {what}, but it didn't come (last frames: {recent}).")

    async def send(self, data: dict):
        await self.comm.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def close(self):
        try:
            await self.comm.disconnect(timeout=0.5)
        except BaseException:  # noqa: BLE001 - the app may have ended or crashed already
            pass


@pytest.fixture
async def clients():
    opened = []

    def open_client(app, path, headers=(), label="the client"):
        client = Client(app, path, headers, label)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        await client.close()


class DirectOutbox:
    """A plain FIFO in place of exercise 2's Outbox, so other exercises' tests don't depend on it."""

    def __init__(self, send, maxsize=0):
        self.send = send
        self.queue: asyncio.Queue = asyncio.Queue()

    def offer(self, message, key=None):
        self.queue.put_nowait(message)

    async def run(self):
        while True:
            await self.send(await self.queue.get())

    async def close(self, timeout=1.0):
        pass


@pytest.fixture
def direct_outbox():
    return DirectOutbox
