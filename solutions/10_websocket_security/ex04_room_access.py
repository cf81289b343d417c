"""Exercise 4: who may enter which room.

The chat consumer calls `await room_close_code(user, slug)` right after accepting a connection to
ws/chat/<slug>/. Return None to let the user in, or the close code to refuse with:

- 4401 (UNAUTHENTICATED) when nobody is logged in;
- 4403 (FORBIDDEN) when the room does not exist, or it is private (Room.is_public is False) and the
  user is not one of its members. An unknown room gets the same answer as a forbidden one, so
  nobody can probe which private rooms exist."""

from django.db.models import Q

from chat.models import Room
from chat.protocol import FORBIDDEN, UNAUTHENTICATED


# --8<-- [start:solution]
async def room_close_code(user, slug: str) -> int | None:
    if user is None or not user.is_authenticated:
        return UNAUTHENTICATED
    # One query, run by the async ORM in Django's thread: the event loop keeps serving others.
    allowed = await Room.objects.filter(Q(is_public=True) | Q(members=user), slug=slug).aexists()
    return None if allowed else FORBIDDEN
# --8<-- [end:solution]
