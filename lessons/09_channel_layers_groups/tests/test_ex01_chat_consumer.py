"""ex01: ChatConsumer joins its room's group, broadcasts with group_send, and leaves on disconnect.

In-process (WebsocketCommunicator) on the in-memory layer: fast, no Redis needed."""

import random
import string

from asgiref.sync import sync_to_async
from awaitlings.testing import fail, load
from channels.layers import get_channel_layer
from support import room_name


def words() -> str:
    return " ".join("".join(random.choices(string.ascii_lowercase, k=5)) for _ in range(3))


def expect_joined(room: str, who: str) -> None:
    """Precondition: a connection that never joined its room's group can't receive what is sent to the
    room. The in-memory layer shows at once whether connect() joined, so say that now instead of
    waiting out a receive timeout for a message that can't come."""
    members = get_channel_layer().groups.get(f"chat_{room}", {})
    if not members:
        fail(f"{who} connected to room {room!r}, but group chat_{room} has no members, so nothing sent to "
             "the room can reach anyone: connect() should group_add the connection's channel_name.")


def expect_message(got: dict, user: str, text: str, who: str) -> None:
    want = {"type": "message", "user": user, "text": text}
    if got != want:
        fail(f"{who} expected {want}, got {got}.")


async def test_everyone_in_the_room_sees_a_message_the_sender_included(ws, application):
    room = room_name()
    path = f"/ws/chat/{room}/"
    ana, ben = await ws.open(application, path), await ws.open(application, path)
    expect_joined(room, "ana and ben")
    text = words()
    await ana.send({"user": "ana", "text": text})
    expect_message(await ben.receive("ana's message (ben is in the same room)"), "ana", text, "ben")
    expect_message(await ana.receive("ana's own message back (the sender is in the room too)"), "ana", text, "ana")


async def test_a_client_in_another_room_sees_nothing(ws, application):
    room, other = room_name(), room_name("other")
    ana, ben = await ws.open(application, f"/ws/chat/{room}/"), await ws.open(application, f"/ws/chat/{room}/")
    cleo = await ws.open(application, f"/ws/chat/{other}/")
    expect_joined(room, "ana and ben")
    await ana.send({"user": "ana", "text": words()})
    await ben.receive("ana's message")
    if not await cleo.nothing(0.1):
        fail(f"cleo is in room {other!r}, yet she received a message sent to room {room!r}.")


async def test_a_group_send_from_outside_reaches_the_room(ws, application):
    push = load("chat.push")
    room = room_name()
    ana = await ws.open(application, f"/ws/chat/{room}/")
    expect_joined(room, "ana")
    # What a view or a Celery task does: no consumer involved on the sending side.
    text = words()
    await push.post_to_room(room, "server", text)
    got = await ana.receive(f'a "chat.message" sent to group chat_{room} from outside the consumer')
    expect_message(got, "server", text, "ana")
    # The sync flavour, run in a worker thread the way a sync view would be.
    text = words()
    await sync_to_async(push.post_to_room_sync)(room, "task", text)
    got = await ana.receive(f"a message posted to chat_{room} from sync code")
    expect_message(got, "task", text, "ana")


async def test_a_client_that_leaves_is_removed_from_the_group(ws, application):
    room = room_name()
    ana, ben = await ws.open(application, f"/ws/chat/{room}/"), await ws.open(application, f"/ws/chat/{room}/")
    layer = get_channel_layer()
    # The in-memory layer keeps its groups in a dict; the Redis layer keeps them in sorted sets.
    members = layer.groups.get(f"chat_{room}", {})
    if len(members) != 2:
        fail(f"Two clients joined room {room!r}, but group chat_{room} has {len(members)} member(s): "
             "connect() should group_add the connection's channel_name.")
    await ben.close()
    members = layer.groups.get(f"chat_{room}", {})
    if len(members) != 1:
        fail(f"ben disconnected, but group chat_{room} still has {len(members)} members: "
             "disconnect() should group_discard the channel, or messages keep piling up for it.")
    await ana.send({"user": "ana", "text": "still here"})
    expect_message(await ana.receive("ana's message after ben left"), "ana", "still here", "ana")
