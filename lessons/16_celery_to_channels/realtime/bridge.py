"""Exercise 1: the bridge from code outside any consumer (a Celery task, a sync view) to one user's
WebSocket connections.

Every connection of a user joins the group `group_for(user_id)` (realtime/consumers.py does that);
a push is a group message {"type": "notify", "data": payload}, which each of those consumers hands
to its `notify` handler. The code below is the source post's (C-7 and B-3), word for word.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


# --8<-- [start:seed]
def group_for(user_id) -> str:
    # TODO: this name is refused by Channels 4: find out why, and fix it.
    return f"user:{user_id}"


def notify_user(user_id, payload):
    async_to_sync(get_channel_layer().group_send)(
        group_for(user_id), {"type": "notify", "data": payload}
    )
# --8<-- [end:seed]


async def anotify_user(user_id, payload: dict) -> None:
    """The same push from async code (a consumer, an async view)."""
    # TODO: push without async_to_sync: inside an event loop it raises (and it would block the loop).
    notify_user(user_id, payload)
