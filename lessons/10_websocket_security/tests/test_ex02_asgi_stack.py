"""Exercise 2: websocket_app() refuses handshakes from foreign origins, and still reads the session."""

import secrets

import pytest
from awaitlings.testing import fail, load, need

from support import ALLOWED_ORIGIN


@pytest.fixture
def stack():
    from channels.routing import URLRouter
    from django.urls import path

    from chat.consumers import WhoAmIConsumer

    websocket_app = need(load("ex02_asgi_stack"), "websocket_app", "function")
    return websocket_app(URLRouter([path("ws/whoami/", WhoAmIConsumer.as_asgi())]))


async def test_a_page_on_this_site_connects_with_its_session(stack, make_user, session_cookie, ws):
    # Precondition: the starter's stack lets every page in, so letting this one in proves nothing
    # until foreign pages are refused.
    await a_foreign_page_is_refused(stack, make_user, session_cookie, ws)
    user = await make_user()
    client = ws.client(stack, "/ws/whoami/", [ALLOWED_ORIGIN, await session_cookie(user)])
    accepted, code = await client.connect()
    if not accepted:
        fail(f"A page from http://127.0.0.1:8000 (in ALLOWED_HOSTS) was refused with {code}; it should connect.")
    hello = await client.expect_frame("a hello frame")
    assert hello.get("user") == user.username, (
        f"The session cookie belongs to {user.username}, but the consumer saw {hello.get('user')!r}: "
        "is AuthMiddlewareStack still in the stack?"
    )


async def test_a_page_on_another_site_is_refused_even_with_a_valid_session(
    stack, make_user, session_cookie, ws
):
    await a_foreign_page_is_refused(stack, make_user, session_cookie, ws)


async def a_foreign_page_is_refused(stack, make_user, session_cookie, ws):
    user = await make_user()
    evil = f"https://{secrets.token_hex(4)}.example".encode()
    client = ws.client(stack, "/ws/whoami/", [(b"origin", evil), await session_cookie(user)])
    accepted, _ = await client.connect()
    if accepted:
        kind, value = await client.next()
        who = f" as {value.get('user')}" if kind == "frame" and isinstance(value, dict) else ""
        fail(
            f"A page on {evil.decode()} opened a socket{who} with the visitor's session cookie: "
            "cross-site WebSocket hijacking. The handshake should be refused."
        )


async def test_a_handshake_without_origin_is_refused(stack, make_user, session_cookie, ws):
    user = await make_user()
    client = ws.client(stack, "/ws/whoami/", [await session_cookie(user)])
    accepted, _ = await client.connect()
    if accepted:
        fail("A handshake without an Origin header was accepted; browsers always send one, so refuse it.")
