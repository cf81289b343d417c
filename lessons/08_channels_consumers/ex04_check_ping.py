"""A test for PingConsumer, written with Channels' WebsocketCommunicator.

`check_ping_consumer(application)` talks to the consumer in-process (no server, no network) and
raises AssertionError when it breaks the protocol in realtime/consumers.py. The grader runs your
check against a correct consumer (it must pass) and against broken ones (it must fail each).
"""

from channels.testing import WebsocketCommunicator


async def check_ping_consumer(application, path: str = "/ws/ping/") -> None:
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    assert connected, "the handshake was refused"
    await communicator.receive_json_from()  # the welcome

    await communicator.send_json_to({"type": "ping", "id": 1})
    reply = await communicator.receive_json_from()
    # TODO: check the reply. Then check that an unknown message gets an error without closing
    #       the connection, and that the online count drops when a client disconnects.
    # TODO: every communicator you open must be disconnected, even when a check fails.
