"""Exercise 1: the bridge from code outside any consumer (a Celery task, a sync view) to one user's
WebSocket connections.

Every connection of a user joins the group `group_for(user_id)` (realtime/consumers.py does that);
a push is a group message {"type": "notify", "data": payload}, which each of those consumers hands
to its `notify` handler.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


# --8<-- [start:bridge]
def group_for(user_id) -> str:
    # Group names may hold only ASCII letters, digits, "-", "_" and "." (and < 100 characters):
    # the seed's f"user:{id}" makes every group_add and group_send raise TypeError.
    return f"user.{int(user_id)}"


async def anotify_user(user_id, payload: dict) -> None:
    """From async code (a consumer, an async view): just await the layer."""
    await get_channel_layer().group_send(group_for(user_id), {"type": "notify", "data": payload})


def notify_user(user_id, payload: dict) -> None:
    """From sync code (a Celery task, a sync view): async_to_sync runs the coroutine to the end.
    Never from inside `async def`: there, `await anotify_user(...)`."""
    async_to_sync(anotify_user)(user_id, payload)
# --8<-- [end:bridge]
