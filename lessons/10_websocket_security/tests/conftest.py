"""Fixtures for lesson 10: users, rooms, session cookies and WebSocket clients on a real ASGI stack.

Every test runs its consumers in-process through channels' WebsocketCommunicator (the same ASGI
messages a server would deliver), against an in-memory test database."""

import asyncio
import json
import secrets

import pytest
from awaitlings.testing import fail

ALLOWED_ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each test gets its own in-memory layer: queues belong to one event loop."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def random_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(3)}"


@pytest.fixture
def make_user(transactional_db):
    async def make(**fields):
        from django.contrib.auth import get_user_model

        fields.setdefault("username", random_name("user"))
        # No password: hashing one costs ~0.3 s, and these users log in by session or ticket.
        return await get_user_model().objects.acreate(**fields)

    return make


@pytest.fixture
def make_room(transactional_db):
    async def make(*, public=True, members=()):
        from chat.models import Room

        room = await Room.objects.acreate(slug=random_name("room-"), is_public=public)
        for member in members:
            await room.members.aadd(member)
        return room

    return make


@pytest.fixture
def session_cookie(transactional_db):
    async def cookie_for(user) -> tuple[bytes, bytes]:
        from django.conf import settings
        from django.test import AsyncClient

        client = AsyncClient()
        await client.aforce_login(user)
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())

    return cookie_for


class Client:
    """A WebsocketCommunicator with helpers that turn crashes into readable failures."""

    def __init__(self, app, path, headers=(), label="the client"):
        from channels.testing import WebsocketCommunicator

        self.path = path
        self.label = label
        self.comm = WebsocketCommunicator(app, path, headers=list(headers))
        self.open = False

    async def receive_output(self, timeout):
        """Like the communicator's, but an app that crashes is reported at once, not after `timeout`."""
        getter = asyncio.ensure_future(self.comm.output_queue.get())
        done, _ = await asyncio.wait({getter, self.comm.future}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if self.comm.future.done():
            self.comm.future.result()  # raises what the app raised
            return {"type": "websocket.close", "code": 1000}  # the app ended without closing
        raise asyncio.TimeoutError

    async def connect(self):
        await self.comm.send_input({"type": "websocket.connect"})
        try:
            response = await self.receive_output(2)
        except asyncio.TimeoutError:
            fail(f"Opening {self.path}: the application neither accepted nor refused within 2 s.")
        except Exception as error:  # noqa: BLE001 - the learner's code ran inside the app
            fail(f"Opening {self.path} crashed the application with {type(error).__name__}: {error}")
        accepted = response["type"] == "websocket.accept"
        self.open = accepted
        return (True, response.get("subprotocol")) if accepted else (False, response.get("code", 1000))

    async def next(self, timeout=1.0):
        """The next event the app sends: ("frame", data) or ("close", code)."""
        try:
            out = await self.receive_output(timeout)
        except asyncio.TimeoutError:
            return ("timeout", None)
        except Exception as error:  # noqa: BLE001
            self.open = False
            return ("crash", f"{type(error).__name__}: {error}")
        if out["type"] == "websocket.close":
            self.open = False
            return ("close", out.get("code", 1000))
        if out["type"] == "websocket.send":
            text = out.get("text")
            return ("frame", json.loads(text) if text is not None else out.get("bytes"))
        return ("other", out)

    async def expect_frame(self, what: str, timeout=1.0):
        kind, value = await self.next(timeout)
        if kind != "frame":
            fail(f"{self.label} expected {what}, but {describe(kind, value)}.")
        return value

    async def expect_close(self, code: int, why: str, timeout=1.0):
        """Skip frames (an error frame usually comes first) until the close; check its code."""
        frames = []
        for _ in range(50):
            kind, value = await self.next(timeout)
            if kind == "frame":
                frames.append(value)
                continue
            if kind == "close" and value == code:
                return frames
            if kind == "timeout" and frames:
                fail(f"{self.label}: {why}, so the connection should close with {code}, but it stayed open "
                     f"after sending {json.dumps(frames[-1])[:200]}.")
            fail(f"{self.label}: {why}, so the connection should close with {code}, but {describe(kind, value)}.")
        fail(f"{self.label}: {why}, so the connection should close with {code}, but it kept sending frames.")

    async def send_text(self, text):
        await self.comm.send_input({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data):
        await self.comm.send_input({"type": "websocket.receive", "bytes": data})

    async def send_json(self, data):
        await self.send_text(json.dumps(data))

    async def close(self):
        try:
            await self.comm.disconnect(timeout=0.5)
        except BaseException:  # noqa: BLE001 - the app may already have ended (or crashed)
            pass


def describe(kind, value) -> str:
    if kind == "close":
        return f"it was closed with code {value}"
    if kind == "crash":
        return f"the consumer crashed with {value} (a server closes such a socket with 1011)"
    if kind == "timeout":
        return "nothing came within a second"
    if kind == "frame":
        return f"it sent {json.dumps(value)[:200]}"
    return f"it sent {value!r}"


@pytest.fixture
async def clients():
    """`open_client(app, path, headers)`; every client is disconnected when the test ends."""
    opened = []

    def open_client(app, path, headers=(), label="the client"):
        client = Client(app, path, headers, label)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        await client.close()
