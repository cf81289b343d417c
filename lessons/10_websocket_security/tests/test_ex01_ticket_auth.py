"""Exercise 1: TicketAuthMiddleware turns a one-time ?ticket= into scope["user"]."""

import asyncio
from datetime import timedelta

import pytest
from awaitlings.testing import fail, load, need


@pytest.fixture
def whoami_app():
    """The learner's middleware in front of a consumer that reports scope["user"] (or closes 4401)."""
    from channels.routing import URLRouter
    from django.urls import path

    from chat.consumers import WhoAmIConsumer

    middleware = need(load("ex01_ticket_auth"), "TicketAuthMiddleware", "class")
    return middleware(URLRouter([path("ws/whoami/", WhoAmIConsumer.as_asgi())]))


async def connect_with(ws, app, ticket, label="the client"):
    client = ws.client(app, f"/ws/whoami/?ticket={ticket}", label=label)
    accepted, code = await client.connect()
    if not accepted:
        fail(f"The handshake was refused with {code}; the consumer accepts and then closes with 4401 itself.")
    return client


async def test_a_fresh_ticket_in_the_query_string_logs_its_user_in(whoami_app, make_user, ws):
    await a_fresh_ticket_logs_its_user_in(whoami_app, make_user, ws)


async def a_fresh_ticket_logs_its_user_in(whoami_app, make_user, ws):
    """The exercise's basic behaviour; also the precondition of tests the starter passes by accident."""
    from chat.tickets import issue_ticket

    user = await make_user()
    ticket = await issue_ticket(user)
    client = await connect_with(ws, whoami_app, ticket)
    hello = await client.expect_frame(f'{{"type": "hello", "user": "{user.username}"}}')
    assert hello.get("user") == user.username, (
        f"Connected with {user.username}'s ticket, but the consumer saw user {hello.get('user')!r}."
    )


async def test_a_ticket_works_only_once(whoami_app, make_user, ws):
    from chat.tickets import issue_ticket

    user = await make_user()
    ticket = await issue_ticket(user)
    first = await connect_with(ws, whoami_app, ticket, "The first connection")
    await first.expect_frame("a hello frame")
    second = await connect_with(ws, whoami_app, ticket, "A second connection with the same ticket")
    await second.expect_close(4401, "a ticket is spent by its first connection (a copy in a log must be useless)")


async def test_an_expired_ticket_is_refused(whoami_app, make_user, ws, settings):
    from django.utils import timezone

    from chat.models import WsTicket
    from chat.tickets import issue_ticket

    user = await make_user()
    ticket = await issue_ticket(user)
    stale = timezone.now() - timedelta(seconds=settings.WS_TICKET_TTL + 5)
    await WsTicket.objects.filter(key=ticket).aupdate(created_at=stale)
    client = await connect_with(ws, whoami_app, ticket)
    await client.expect_close(4401, f"the ticket is older than WS_TICKET_TTL ({settings.WS_TICKET_TTL} s)")


async def test_an_unknown_ticket_or_an_inactive_user_gets_4401(whoami_app, make_user, ws):
    from chat.tickets import issue_ticket

    client = await connect_with(ws, whoami_app, "not-a-real-ticket", "A made-up ticket")
    await client.expect_close(4401, "no such ticket exists")
    banned = await make_user(is_active=False)
    client = await connect_with(ws, whoami_app, await issue_ticket(banned), "An inactive user's ticket")
    await client.expect_close(4401, "the ticket's user is inactive (banned users keep their old tickets)")


async def test_two_connections_racing_with_one_ticket_let_only_one_in(whoami_app, make_user, ws):
    from chat.tickets import issue_ticket

    user = await make_user()
    ticket = await issue_ticket(user)
    racers = [ws.client(whoami_app, f"/ws/whoami/?ticket={ticket}", label=f"racer {i}") for i in range(4)]
    await asyncio.gather(*(racer.connect() for racer in racers))
    outcomes = [await racer.next() for racer in racers]
    admitted = sum(kind == "frame" for kind, _ in outcomes)
    if admitted != 1:
        fail(
            f"4 connections used the same ticket at once and {admitted} got in (expected exactly 1). "
            "Checking 'unused' and marking it used must be one step, or all racers see it unused."
        )


async def test_without_a_ticket_the_session_user_is_kept(whoami_app, make_user, ws):
    # Precondition: the starter keeps the session user already; this counts once tickets work too.
    await a_fresh_ticket_logs_its_user_in(whoami_app, make_user, ws)
    user = await make_user()

    async def with_session_user(scope, receive, send):
        return await whoami_app(dict(scope, user=user), receive, send)

    client = ws.client(with_session_user, "/ws/whoami/")
    await client.connect()
    hello = await client.expect_frame("a hello frame for the session's user")
    assert hello.get("user") == user.username, (
        f"No ticket was given, so the user from the session ({user.username}) should stay; "
        f"the consumer saw {hello.get('user')!r}."
    )
