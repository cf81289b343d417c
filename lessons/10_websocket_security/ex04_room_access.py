"""Exercise 4: who may enter which room.

The chat consumer calls `await room_close_code(user, slug)` right after accepting a connection to
ws/chat/<slug>/. Return None to let the user in, or the close code to refuse with:

- 4401 (UNAUTHENTICATED) when nobody is logged in;
- 4403 (FORBIDDEN) when the room does not exist, or it is private (Room.is_public is False) and the
  user is not one of its members. An unknown room gets the same answer as a forbidden one, so
  nobody can probe which private rooms exist."""

from chat.models import Room
from chat.protocol import FORBIDDEN, UNAUTHENTICATED


# --8<-- [start:starter]
async def room_close_code(user, slug: str) -> int | None:
    if not user.is_authenticated:
        return UNAUTHENTICATED
    # TODO: a logged-in user is not automatically allowed into every room.
    return None
# --8<-- [end:starter]
