"""ex03: QuoteConsumer must not make one client's slow lookup everybody's wait."""

import asyncio
import random
import string

import pytest
from awaitlings.testing import Stopwatch, expect_concurrent, fail, load, need

PATH = "/ws/quotes/"
DELAY = 0.1  # each lookup of the five-clients test
CONNECT_DELAY = 0.15  # the lookup a new client's handshake must not wait for


@pytest.fixture
def quotes():
    upstream = load("realtime.upstream")
    upstream.DELAY = DELAY
    consumer = need(load("realtime.quotes"), "QuoteConsumer", "class")
    return consumer.as_asgi(), upstream


def symbol() -> str:
    return "".join(random.choices(string.ascii_uppercase, k=4))


async def ask(client, sym: str, request_id: int, upstream) -> None:
    await client.send({"type": "quote", "symbol": sym, "id": request_id})
    reply = await client.receive(f"the quote for {sym}", timeout=DELAY * 10)
    want = {"type": "quote", "symbol": sym, "price": upstream.price_of(sym), "id": request_id}
    if reply != want:
        fail(f"Asked for {sym} (id {request_id}): expected {want}, got {reply}.")


async def test_five_clients_are_answered_at_the_same_time(ws, quotes):
    application, upstream = quotes
    clients = [await ws.open(application, PATH) for _ in range(5)]
    ids = random.sample(range(1000), 5)  # each client gets its own price, under its own id
    # expect_concurrent's bar: halfway between one lookup and five in a row. Past it the verdict is
    # known, so the test stops waiting there instead of letting a sequential consumer finish.
    bar = DELAY + (5 * DELAY - DELAY) / 2
    with Stopwatch() as sw:
        asks = [asyncio.ensure_future(ask(c, symbol(), i, upstream)) for c, i in zip(clients, ids)]
        done, pending = await asyncio.wait(asks, timeout=bar, return_when=asyncio.FIRST_EXCEPTION)
    for task in pending:
        task.cancel()
    for task in done:
        task.result()  # a wrong answer or a crash fails here, with its own message
    if pending:
        upstream.DELAY = 0  # the verdict is in: let the lookups still queued end at once
        fail(f"Five clients asking for a quote ran sequentially: after {sw.elapsed:.2f} s only {len(done)} of 5 "
             f"had their answer, for 5 lookups of {DELAY:.2f} s (one after another: {5 * DELAY:.2f} s). "
             f"Run concurrently they are all answered in about {DELAY:.2f} s.")
    expect_concurrent(sw.elapsed, calls=5, each=DELAY, what="Five clients asking for a quote")


async def test_a_new_client_can_connect_while_another_waits_for_its_quote(ws, quotes):
    application, upstream = quotes
    upstream.DELAY = CONNECT_DELAY
    busy = await ws.open(application, PATH)
    await busy.send({"type": "quote", "symbol": symbol(), "id": 1})
    pause = 0.02
    # Timed from before the pause: a consumer that blocks the event loop stretches the pause itself.
    with Stopwatch() as sw:
        await asyncio.sleep(pause)  # the lookup has started
        await ws.open(application, PATH)
    waited = sw.elapsed - pause
    if waited > CONNECT_DELAY / 2:
        fail(f"A second client needed {waited:.2f} s just to connect while the first client's "
             f"{CONNECT_DELAY:.2f} s lookup ran: that lookup held up every connection in the process.")
    await busy.receive("the first client's quote", timeout=CONNECT_DELAY * 10)
