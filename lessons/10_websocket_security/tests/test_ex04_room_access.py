"""Exercise 4: room_close_code() lets members and public rooms in, refuses the rest with 4401/4403."""

import json
import random

from awaitlings.testing import fail, load, need
from awaitlings.testing.websocket import describe

from support import ALLOWED_ORIGIN


async def verdict(user, slug):
    room_close_code = need(load("ex04_room_access"), "room_close_code", "coroutine function")
    try:
        return await room_close_code(user, slug)
    except Exception as error:  # noqa: BLE001
        fail(f"room_close_code(..., {slug!r}) raised {type(error).__name__}: {error}")


async def test_members_enter_private_rooms_and_everyone_enters_public_ones(make_user, make_room):
    # Precondition: letting everyone in passes this test by accident; it counts once outsiders are refused.
    await outsiders_are_refused(make_user, make_room)
    alice, bob = await make_user(), await make_user()
    private = await make_room(public=False, members=[alice])
    public = await make_room(public=True)
    for user, room in [(alice, private), (alice, public), (bob, public)]:
        got = await verdict(user, room.slug)
        kind = "public" if room.is_public else "private"
        assert got is None, f"{user.username} may enter the {kind} room {room.slug}; expected None, got {got!r}."


async def test_a_private_room_refuses_non_members_with_4403(make_user, make_room):
    await outsiders_are_refused(make_user, make_room)


async def outsiders_are_refused(make_user, make_room):
    members = [await make_user() for _ in range(random.randint(1, 3))]
    outsider = await make_user()
    room = await make_room(public=False, members=members)
    got = await verdict(outsider, room.slug)
    assert got == 4403, (
        f"{outsider.username} is logged in but not a member of the private room {room.slug}: "
        f"expected 4403, got {got!r}."
    )


async def test_an_unknown_room_gets_the_same_4403(make_user):
    user = await make_user()
    got = await verdict(user, f"no-such-room-{random.randint(1, 10**6)}")
    assert got == 4403, (
        f"A room that does not exist should get 4403 like a forbidden one (so private room names can't be "
        f"probed); got {got!r}."
    )


async def test_nobody_logged_in_gets_4401(make_user, make_room):
    from django.contrib.auth.models import AnonymousUser

    await outsiders_are_refused(make_user, make_room)  # precondition: the starter already answers 4401
    room = await make_room(public=True)
    got = await verdict(AnonymousUser(), room.slug)
    assert got == 4401, f"An anonymous user should get 4401, got {got!r}."


async def test_the_full_app_closes_an_outsider_with_4403(make_user, make_room, session_cookie, ws):
    """Session cookie, the course's ChatConsumer and your room check, as project.asgi wires them."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import URLRouter
    from django.urls import path

    from chat.consumers import ChatConsumer

    class Unlimited:  # rate limits are exercise 3's business
        def allow(self):
            return True

    class Chat(ChatConsumer):
        def make_limiter(self):
            return Unlimited()

    load("ex04_room_access")  # import it now, not inside the event loop during the test
    application = AuthMiddlewareStack(URLRouter([path("ws/chat/<slug:room>/", Chat.as_asgi())]))

    owner, outsider = await make_user(), await make_user()
    room = await make_room(public=False, members=[owner])
    inside = ws.client(application, f"/ws/chat/{room.slug}/", [ALLOWED_ORIGIN, await session_cookie(owner)], "The member")
    await inside.connect()
    hello = await inside.expect_frame("a hello frame")
    assert hello.get("room") == room.slug, f"Expected hello for room {room.slug}, got {hello!r}."
    outside = ws.client(
        application, f"/ws/chat/{room.slug}/", [ALLOWED_ORIGIN, await session_cookie(outsider)], "The outsider"
    )
    await outside.connect()
    why = f"{outsider.username} is not a member of private room {room.slug}"
    kind, value = await outside.next()
    if kind == "frame" and isinstance(value, dict) and value.get("type") == "hello":
        # The consumer sends hello only once it has admitted the client: no close will follow.
        fail(f"The outsider: {why}, so the connection should close with 4403, but it was let in "
             f"(it sent {json.dumps(value)[:200]}).")
    if kind == "frame":  # the error frame that comes before the close
        await outside.expect_close(4403, why)
    elif (kind, value) != ("close", 4403):
        fail(f"The outsider: {why}, so the connection should close with 4403, but {describe(kind, value)}.")
