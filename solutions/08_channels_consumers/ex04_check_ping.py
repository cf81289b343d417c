"""A test for PingConsumer, written with Channels' WebsocketCommunicator.

`check_ping_consumer(application)` talks to the consumer in-process (no server, no network) and
raises AssertionError when it breaks the protocol in realtime/consumers.py. The grader runs your
check against a correct consumer (it must pass) and against broken ones (it must fail each).
"""

# --8<-- [start:check]
import random
from contextlib import AsyncExitStack

from channels.testing import WebsocketCommunicator

TIMEOUT = 1.0  # every receive has a limit: a silent consumer must fail the check, not hang it


async def open_client(stack: AsyncExitStack, application, path: str) -> tuple[WebsocketCommunicator, dict]:
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    # Registered before any assert: the stack disconnects it even if a check below fails.
    stack.push_async_callback(communicator.disconnect)
    assert connected, "the handshake was refused"
    welcome = await communicator.receive_json_from(timeout=TIMEOUT)
    assert welcome.get("type") == "welcome", f"expected a welcome first, got {welcome}"
    return communicator, welcome


async def check_ping_consumer(application, path: str = "/ws/ping/") -> None:
    async with AsyncExitStack() as stack:
        first, welcome = await open_client(stack, application, path)

        # A random id: a consumer that always answers the same thing can't pass by luck.
        ping_id = random.randint(1, 1_000_000)
        await first.send_json_to({"type": "ping", "id": ping_id})
        reply = await first.receive_json_from(timeout=TIMEOUT)
        assert reply == {"type": "pong", "id": ping_id}, f"ping {ping_id} got {reply}"

        await first.send_json_to({"type": "no-such-type"})
        error = await first.receive_json_from(timeout=TIMEOUT)
        assert error.get("type") == "error", f"an unknown message got {error}"
        await first.send_json_to({"type": "ping", "id": ping_id + 1})
        # Still open: a closed socket would make this receive fail.
        assert await first.receive_json_from(timeout=TIMEOUT) == {"type": "pong", "id": ping_id + 1}

        # Counts are compared, not fixed: other clients may already be connected.
        second, second_welcome = await open_client(stack, application, path)
        assert second_welcome["online"] == welcome["online"] + 1, f"two clients, yet {second_welcome}"
        await second.disconnect()
        third, third_welcome = await open_client(stack, application, path)
        assert third_welcome["online"] == second_welcome["online"], (
            f"after a disconnect the count should not grow: {second_welcome} then {third_welcome}"
        )
# --8<-- [end:check]
