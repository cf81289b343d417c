"""From sync code (a Celery task, a management command) to WebSocket clients, through the channel layer.

The seed's C-7 bridge, with its group names fixed: Channels 4 accepts only ASCII letters, digits,
hyphens, underscores and periods in a group name (and fewer than 100 characters), so `user:{id}` raises
TypeError in group_add/group_send. `user.{id}` and `room.{slug}` are valid."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


# --8<-- [start:groups]
def user_group(user_id: int) -> str:
    return f"user.{user_id}"  # not the seed's "user:{id}": ":" is refused by Channels 4


def room_group(slug: str) -> str:
    return f"room.{slug}"
# --8<-- [end:groups]


# --8<-- [start:bridge]
def notify_user(user_id: int, payload: dict) -> None:
    """Push `payload` to every open /ws/notify/ socket of one user, whichever server holds it.
    The consumer's `notify` handler receives {"type": "notify", "data": payload} and sends `data`."""
    async_to_sync(get_channel_layer().group_send)(user_group(user_id), {"type": "notify", "data": payload})


def push_to_room(slug: str, payload: dict) -> None:
    """Push `payload` to everyone in a chat room (the consumer's `chat_flag` handler sends it)."""
    async_to_sync(get_channel_layer().group_send)(room_group(slug), {"type": "chat.flag", "data": payload})
# --8<-- [end:bridge]
