"""Exercise 4: only members of a project's organisation join its chat room."""

import asyncio
import json

import pytest
from awaitlings.testing import fail, load


async def ask(user, slug: str):
    from django.core.exceptions import SynchronousOnlyOperation

    room_for = load("ex04_room_access").room_for
    try:
        return await room_for(user, slug)
    except SynchronousOnlyOperation:
        fail("room_for ran a blocking ORM query inside the event loop (SynchronousOnlyOperation): use the async "
             "ORM (`afirst()`, `aexists()`...).")


@pytest.mark.django_db(transaction=True)
async def test_members_of_the_projects_organisation_get_the_project(people):
    # Precondition: letting everyone in passes this test by accident; it counts once an outsider is refused.
    got = await ask(people["mallory"].user, "apollo")
    if got is not None:
        fail(f"Expected None for mallory (Initech) asking for ACME's #apollo, got {got!r}: they would read and "
             "write the project's chat.")
    for name in ("alice", "bob"):
        for slug in ("apollo", "gemini"):
            project = await ask(people[name].user, slug)
            if getattr(project, "slug", None) != slug:
                fail(f"{name} is a member of ACME, which owns #{slug}: expected the Project {slug!r}, got {project!r}.")
    project = await ask(people["mallory"].user, "tps")
    if getattr(project, "slug", None) != "tps":
        fail(f"mallory is a member of Initech, which owns #tps: expected that Project, got {project!r}.")


@pytest.mark.django_db(transaction=True)
async def test_outsiders_visitors_and_unknown_rooms_get_none(people):
    from django.contrib.auth.models import AnonymousUser

    cases = [(people["mallory"].user, "apollo", "mallory (Initech) asking for ACME's #apollo"),
             (people["alice"].user, "tps", "alice (ACME) asking for Initech's #tps"),
             (AnonymousUser(), "apollo", "a visitor who isn't logged in asking for #apollo"),
             (people["alice"].user, "no-such-room", "alice asking for a room that doesn't exist")]
    for user, slug, who in cases:
        got = await ask(user, slug)
        if got is not None:
            fail(f"Expected None for {who}, got {got!r}: they would read and write the project's chat.")


@pytest.mark.django_db(transaction=True)
async def test_on_a_real_server_an_outsider_is_closed_with_4403_while_members_chat_and_get_moderated(
        web, worker, people, ws_options):
    import websockets

    load("ex04_room_access")
    url = f"ws://127.0.0.1:{web.port}/ws/chat/apollo/"

    async def receive(ws, timeout=3.0):
        return json.loads(await asyncio.wait_for(ws.recv(), timeout))

    async with websockets.connect(url, **ws_options(web, people["mallory"])) as outsider:
        try:
            first = await receive(outsider)
            if first.get("type") == "hello":
                fail(f"mallory (Initech) was welcomed into ACME's #apollo: {first}.")
            await asyncio.wait_for(outsider.recv(), 3)
            fail(f"mallory (Initech) stayed in ACME's #apollo: she received {first} and the socket stayed open.")
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            if code != 4403:
                fail(f"mallory's socket to #apollo closed with {code}, expected 4403 (forbidden). "
                     f"Server log: {web.output()[-400:]}")
        except asyncio.TimeoutError:
            fail("mallory's socket to #apollo was neither refused nor closed within 3 s.")

    async with websockets.connect(url, **ws_options(web, people["alice"])) as alice, \
            websockets.connect(url, **ws_options(web, people["bob"])) as bob:
        for name, ws in (("alice", alice), ("bob", bob)):
            try:
                hello = await receive(ws)
            except (websockets.ConnectionClosed, asyncio.TimeoutError) as error:
                fail(f"{name} (ACME) could not join #apollo: {type(error).__name__} {getattr(error, 'rcvd', '')}.")
            if hello.get("type") != "hello":
                fail(f"{name} should be welcomed in #apollo, got {hello}.")
        await alice.send(json.dumps({"message": "this is not spam, promise"}))
        chat = await receive(bob)
        flag = await receive(bob, 5)  # the moderation task runs on a worker and pushes to the room
        if chat.get("body") != "this is not spam, promise" or flag.get("type") != "flag" or "spam" not in flag.get("words", []):
            fail(f"Expected bob to get alice's message, then the worker's moderation flag; got {chat} then {flag}.")
