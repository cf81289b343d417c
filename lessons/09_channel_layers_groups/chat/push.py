"""Post to a chat room from outside any consumer: a view, a management command, a Celery task.

Course-owned. The tests use both functions against your ChatConsumer."""

# --8<-- [start:push]
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


async def post_to_room(room: str, user: str, text: str) -> None:
    """From async code (an async view, another consumer): just await the layer."""
    await get_channel_layer().group_send(f"chat_{room}", {"type": "chat.message", "user": user, "text": text})


def post_to_room_sync(room: str, user: str, text: str) -> None:
    """From sync code (a sync view, a Celery task): async_to_sync runs the coroutine to completion.
    Never call this from inside `async def`: there, await post_to_room instead."""
    async_to_sync(post_to_room)(room, user, text)
# --8<-- [end:push]
