"""Fixtures for lesson 08: open in-process WebSocket connections with Channels' WebsocketCommunicator.

No server and no network: the communicator drives the ASGI application directly, so each test
takes milliseconds. Every communicator a test opens is disconnected afterwards."""

import pytest
from awaitlings.testing import fail
from channels.testing import WebsocketCommunicator

TIMEOUT = 1.0


class Client:
    """One WebSocket connection with learner-friendly failures."""

    def __init__(self, communicator: WebsocketCommunicator, path: str) -> None:
        self.communicator = communicator
        self.path = path

    async def send(self, message: dict) -> None:
        await self.communicator.send_json_to(message)

    async def receive(self, waiting_for: str, timeout: float = TIMEOUT) -> dict:
        try:
            output = await self.communicator.receive_output(timeout)
        except TimeoutError:
            fail(f"{self.path}: waited {timeout:g} s for {waiting_for}, but the consumer sent nothing.")
        except Exception as error:  # the consumer crashed: its exception surfaces here
            fail(f"{self.path}: the consumer crashed while we waited for {waiting_for}: "
                 f"{type(error).__name__}: {error}")
        if output["type"] == "websocket.close":
            fail(f"{self.path}: the consumer closed the connection (code {output.get('code')}) "
                 f"while we waited for {waiting_for}.")
        import json

        try:
            return json.loads(output.get("text") or "")
        except ValueError:
            fail(f"{self.path}: expected {waiting_for} as JSON text, got {output!r}.")

    async def nothing(self, timeout: float = 0.1) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        try:
            await self.communicator.disconnect(timeout=TIMEOUT)
        except Exception:  # noqa: BLE001 - a crashed consumer was already reported by the test
            pass


@pytest.fixture
async def connect():
    """`client = await connect(application, "/ws/ping/")`: connected, or the test fails saying why."""
    opened: list[Client] = []

    async def _connect(application, path: str) -> Client:
        communicator = WebsocketCommunicator(application, path)
        client = Client(communicator, path)
        opened.append(client)
        try:
            connected, code = await communicator.connect(timeout=TIMEOUT)
        except TimeoutError:
            fail(f"{path}: the WebSocket handshake got no answer within {TIMEOUT:g} s.")
        except Exception as error:  # noqa: BLE001 - routing and consumer errors land here
            fail(f"{path}: the WebSocket handshake crashed with {type(error).__name__}: {error}")
        if not connected:
            fail(f"{path}: the handshake was refused (close code {code}).")
        return client

    yield _connect
    for client in opened:
        await client.close()
