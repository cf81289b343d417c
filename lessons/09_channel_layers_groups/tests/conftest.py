"""Fixtures for lesson 09.

- `connect`: in-process WebSocket clients (WebsocketCommunicator) on the project's application, with
  the in-memory layer, for the fast consumer tests;
- `servers`: two real daphne processes serving the files under test and sharing one Redis
  (the `redis_url` fixture: $REDIS_URL or a private redis-server), started once per session;
- `ws_client`: a real WebSocket client (the `websockets` package) for those servers.
Every receive has a timeout and every connection and process is closed afterwards."""

import asyncio
import json
from contextlib import AsyncExitStack

import pytest
from awaitlings.testing import ServerProcess, fail, load
from channels.testing import WebsocketCommunicator
from django.test import override_settings

TIMEOUT = 1.0
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def room_name(prefix: str = "room") -> str:
    import random
    import string

    return prefix + "-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=8))


class Client:
    """One in-process connection with learner-friendly failures."""

    def __init__(self, communicator: WebsocketCommunicator, path: str) -> None:
        self.communicator = communicator
        self.path = path

    async def send(self, message: dict) -> None:
        await self.communicator.send_json_to(message)

    async def receive(self, waiting_for: str, timeout: float = TIMEOUT) -> dict:
        try:
            output = await self.communicator.receive_output(timeout)
        except TimeoutError:
            fail(f"{self.path}: waited {timeout:g} s for {waiting_for}, but nothing arrived.")
        except Exception as error:  # noqa: BLE001 - the consumer crashed; its exception surfaces here
            fail(f"{self.path}: the consumer crashed while we waited for {waiting_for}: "
                 f"{type(error).__name__}: {error}")
        if output["type"] == "websocket.close":
            fail(f"{self.path}: the consumer closed the connection (code {output.get('code')}) "
                 f"while we waited for {waiting_for}.")
        try:
            return json.loads(output.get("text") or "")
        except ValueError:
            fail(f"{self.path}: expected {waiting_for} as JSON text, got {output!r}.")

    async def nothing(self, timeout: float = 0.1) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        try:
            await self.communicator.disconnect(timeout=TIMEOUT)
        except Exception:  # noqa: BLE001 - a crash was already reported by the test
            pass


@pytest.fixture
def application():
    """The project's ASGI app (course-owned asgi.py + routing, your consumer), on the in-memory layer."""
    with override_settings(CHANNEL_LAYERS=IN_MEMORY):
        yield load("project.asgi").application


@pytest.fixture
async def connect(application):
    """`client = await connect("/ws/chat/lobby/")`: connected, or the test fails saying why."""
    opened: list[Client] = []

    async def _connect(path: str) -> Client:
        communicator = WebsocketCommunicator(application, path)
        client = Client(communicator, path)
        opened.append(client)
        try:
            connected, code = await communicator.connect(timeout=TIMEOUT)
        except TimeoutError:
            fail(f"{path}: the WebSocket handshake got no answer within {TIMEOUT:g} s.")
        except Exception as error:  # noqa: BLE001
            fail(f"{path}: the WebSocket handshake crashed with {type(error).__name__}: {error}")
        if not connected:
            fail(f"{path}: the handshake was refused (close code {code}).")
        return client

    yield _connect
    for client in opened:
        await client.close()


@pytest.fixture(scope="session")
def servers(redis_url):
    """Two daphne processes serving the files under test, both with REDIS_URL set to one Redis."""
    cmd = ["{python}", "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "project.asgi:application"]
    # No asyncio debug mode in the servers: it is for diagnosing the test's own loop, and it slows
    # daphne down several times.
    env = {"REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "project.settings", "PYTHONASYNCIODEBUG": ""}
    pair = [ServerProcess(cmd, env=env, ready_timeout=30) for _ in range(2)]
    try:
        for server in pair:
            server.start()  # both boot at once
        for server in pair:
            server.wait_ready()
        yield pair
    finally:
        for server in pair:
            server.stop()


class RealClient:
    """A `websockets` connection to a real server."""

    def __init__(self, url: str, ws) -> None:
        self.url = url
        self.ws = ws

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, waiting_for: str, timeout: float = 2.0) -> dict:
        import websockets

        try:
            raw = await asyncio.wait_for(self.ws.recv(), timeout)
        except (TimeoutError, asyncio.TimeoutError):
            fail(f"{self.url}: waited {timeout:g} s for {waiting_for}, but nothing arrived.")
        except websockets.ConnectionClosed as closed:
            fail(f"{self.url}: the server closed the connection ({closed}) while we waited for {waiting_for}.")
        return json.loads(raw)


@pytest.fixture
async def ws_client():
    """`client = await ws_client(server, "/ws/chat/lobby/")`: a real WebSocket to a real server."""
    import websockets

    async with AsyncExitStack() as stack:

        async def _open(server, path: str) -> RealClient:
            url = f"ws://127.0.0.1:{server.port}{path}"
            try:
                ws = await stack.enter_async_context(websockets.connect(url, open_timeout=5, close_timeout=1))
            except Exception as error:  # noqa: BLE001
                fail(f"Could not open {url}: {type(error).__name__}: {error}\n{server.output()[-800:]}")
            return RealClient(url, ws)

        yield _open
