"""Exercise 2: Outbox bounds what waits for a slow client, coalesces by key, and flushes on close."""

import asyncio
import inspect
import random

from awaitlings.testing import Stopwatch, fail, load, need


def outbox_class():
    cls = need(load("ex02_outbox"), "Outbox", "class")
    if inspect.iscoroutinefunction(getattr(cls, "offer", None)):
        fail("Outbox.offer must be a plain `def`: a consumer's handler calls it and must never wait.")
    return cls


class SlowClient:
    """A socket that takes `delay` seconds per frame, recording what it got."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self.frames: list[dict] = []

    async def send(self, message):
        await asyncio.sleep(self.delay)
        self.frames.append(message)

    def of_type(self, kind):
        return [f for f in self.frames if f.get("type") == kind]


async def start(outbox):
    task = asyncio.create_task(outbox.run())
    await asyncio.sleep(0)
    return task


async def stop(task):
    task.cancel()
    try:
        await asyncio.wait_for(task, 1)
    except (asyncio.CancelledError, asyncio.TimeoutError):
        pass


async def wait_until(condition, timeout, what):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            fail(what)
        await asyncio.sleep(0.01)


def stays_bounded():
    """Precondition of the tests an unbounded queue passes by accident (a fast client, offer not waiting,
    close giving up): what waits for a stuck client never exceeds maxsize (the bounded test's sentence)."""

    async def never(message):
        await asyncio.Event().wait()

    maxsize = random.randint(5, 15)
    outbox = outbox_class()(never, maxsize=maxsize)
    most = 0
    for i in range(maxsize * 3):
        outbox.offer({"type": "chat", "n": i})
        most = max(most, len(outbox))
    if most > maxsize:
        fail(f"{most} messages were waiting for a slow client with maxsize={maxsize}: the queue must stay "
             "bounded, or one slow client eats the server's memory.")


async def test_a_fast_client_gets_every_message_in_order():
    stays_bounded()
    client = SlowClient()
    outbox = outbox_class()(client.send, maxsize=100)
    task = await start(outbox)
    try:
        sent = [{"type": "chat", "n": i} for i in range(random.randint(20, 40))]
        for message in sent:
            outbox.offer(message)
            if random.random() < 0.3:
                await asyncio.sleep(0)
        await wait_until(lambda: len(client.frames) >= len(sent), 1, f"Only {len(client.frames)} of {len(sent)} "
                         "messages reached a fast client within 1 s.")
        assert client.frames == sent, "A fast client should get every message, in the order offered."
    finally:
        await stop(task)


async def test_offer_returns_at_once_even_when_the_socket_is_stuck():
    stays_bounded()
    stuck = asyncio.Event()

    async def never(message):
        await stuck.wait()

    outbox = outbox_class()(never, maxsize=10)
    task = await start(outbox)
    try:
        with Stopwatch() as sw:
            for i in range(200):
                outbox.offer({"type": "chat", "n": i})
        assert sw.elapsed < 0.2, f"200 offers to a stuck client took {sw.elapsed:.2f} s; offer must not wait."
    finally:
        await stop(task)


async def test_a_slow_client_never_has_more_than_maxsize_waiting_and_gets_the_newest():
    client = SlowClient(delay=0.01)
    maxsize = random.randint(5, 15)
    total = random.randint(150, 250)
    outbox = outbox_class()(client.send, maxsize=maxsize)
    task = await start(outbox)
    try:
        most = 0
        for i in range(total):
            outbox.offer({"type": "chat", "n": i})
            most = max(most, len(outbox))
            if i % 50 == 0:
                await asyncio.sleep(0)
        if most > maxsize:
            fail(f"{most} messages were waiting for a slow client with maxsize={maxsize}: the queue must stay "
                 "bounded, or one slow client eats the server's memory.")
        await wait_until(lambda: len(outbox) == 0, 2, "The outbox didn't drain within 2 s.")
        await asyncio.sleep(0.05)
        chats = [f["n"] for f in client.of_type("chat")]
        dropped = getattr(outbox, "dropped", None)
        assert dropped == total - len(chats), (
            f"{total} offered, {len(chats)} sent, so `dropped` should be {total - len(chats)}; it is {dropped}."
        )
        assert chats[-maxsize:] == list(range(total - maxsize, total)), (
            f"The last {maxsize} messages sent should be the newest ones, {total - maxsize}..{total - 1}; "
            f"got {chats[-maxsize:]}. Drop the oldest, not the newest."
        )
        gaps = client.of_type("gap")
        if not gaps or sum(g.get("missed", 0) for g in gaps) != dropped:
            fail(f"{dropped} messages were dropped, so the client should be told with "
                 f"{{'type': 'gap', 'missed': N}} frames adding up to {dropped}; got {gaps}.")
    finally:
        await stop(task)


async def test_updates_with_a_key_replace_the_queued_one():
    client = SlowClient(delay=0.02)
    outbox = outbox_class()(client.send, maxsize=50)
    task = await start(outbox)
    symbols = random.sample(["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "GOOG"], 3)
    last = {}
    try:
        for tick in range(200):
            symbol = symbols[tick % 3]
            last[symbol] = tick
            outbox.offer({"type": "price", "symbol": symbol, "price": tick}, key=symbol)
        if len(outbox) > 3:
            fail(f"After 200 updates of 3 symbols, {len(outbox)} messages wait for the slow client. Each symbol "
                 "should have at most one update waiting: replace the queued one instead of adding another.")
        await wait_until(lambda: len(outbox) == 0, 2, "The outbox didn't drain within 2 s.")
        await asyncio.sleep(0.05)
        prices = client.of_type("price")
        final = {}
        for frame in prices:
            final[frame["symbol"]] = frame["price"]
        assert final == last, f"The client should end with the latest price of each symbol {last}; it has {final}."
        if len(prices) > 12:
            fail(f"200 updates of 3 symbols reached a slow client as {len(prices)} frames. Each symbol should "
                 "have at most one update waiting: replace the queued one instead of adding another.")
        assert getattr(outbox, "dropped", 0) == 0, "Replacing an update is not dropping: `dropped` should stay 0."
    finally:
        await stop(task)


async def test_close_sends_what_is_queued_then_stops():
    client = SlowClient(delay=0.01)
    outbox = outbox_class()(client.send, maxsize=50)
    task = await start(outbox)
    count = random.randint(5, 10)
    for i in range(count):
        outbox.offer({"type": "chat", "n": i})
    try:
        await asyncio.wait_for(outbox.close(timeout=1.0), 2)
    except asyncio.TimeoutError:
        await stop(task)
        fail("close(timeout=1.0) did not return within 2 s.")
    got = len(client.of_type("chat"))
    assert got == count, f"{count} messages were queued at close(); with a 1 s timeout all should be sent, got {got}."
    await asyncio.sleep(0.02)
    assert task.done(), "After close() returns, the run() task should be finished."
    outbox.offer({"type": "chat", "n": 999})
    await asyncio.sleep(0.05)
    assert len(client.of_type("chat")) == count, "A message offered after close() was still sent."


async def test_close_gives_up_on_a_stuck_client_after_the_timeout():
    stays_bounded()
    stuck = asyncio.Event()

    async def never(message):
        await stuck.wait()

    outbox = outbox_class()(never, maxsize=10)
    task = await start(outbox)
    outbox.offer({"type": "chat", "n": 1})
    timeout = random.choice([0.1, 0.2])
    with Stopwatch() as sw:
        try:
            await asyncio.wait_for(outbox.close(timeout=timeout), 2)
        except asyncio.TimeoutError:
            await stop(task)
            fail("close() waited more than 2 s for a client that never reads: it must give up after `timeout`.")
    await asyncio.sleep(0.02)
    assert task.done(), "close() should stop the run() task even when the client is stuck."
    assert sw.elapsed < timeout + 0.5, f"close(timeout={timeout}) took {sw.elapsed:.2f} s."


# --- through the channel layer ----------------------------------------------------------------


async def test_a_burst_reaches_a_slow_ticker_client_as_the_latest_prices(settings, ws):
    from channels.layers import get_channel_layer
    from django.urls import path

    from channels.routing import URLRouter
    from rooms.ticker import GROUP, TickerConsumer

    outbox_class()  # import it now, not inside the event loop

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 100}}}

    per_frame, wait = 0.02, 1.5
    consumers = []

    class SlowSocket(TickerConsumer):
        async def connect(self):
            consumers.append(self)
            await super().connect()

        async def send_json(self, content, close=False):
            await asyncio.sleep(per_frame)  # a phone on a bad network
            await super().send_json(content, close)

    app = URLRouter([path("ws/ticker/", SlowSocket.as_asgi())])
    client = ws.client(app, "/ws/ticker/", label="A slow ticker client")
    await client.open()
    await asyncio.sleep(0.05)
    layer = get_channel_layer()
    symbols = random.sample(["AAPL", "MSFT", "NVDA", "TSLA", "AMZN"], 4)
    last = {}
    for tick in range(200):
        symbol = symbols[tick % len(symbols)]
        last[symbol] = tick
        await layer.group_send(GROUP, {"type": "price.update", "symbol": symbol, "price": tick})
        if tick % 10 == 9:
            await asyncio.sleep(0.01)  # a producer elsewhere: ~1000 updates/s, 50x faster than the socket
    try:
        backlog = len(consumers[0].outbox)
    except (IndexError, AttributeError, TypeError):
        backlog = 0  # nothing to count: the wait below decides
    if backlog * per_frame > wait:
        # The latest prices are at the back of that queue: the wait below could only time out.
        fail(f"After 200 updates in 0.2 s, {backlog} frames were queued for a slow ticker client that takes "
             f"{per_frame:g} s per frame (the Outbox's maxsize is 20): the latest prices would reach it "
             f"{backlog * per_frame:.1f} s late. Keep at most maxsize, and one per symbol.")
    seen = {}

    def up_to_date(frame):
        if frame.get("type") == "price":
            seen[frame["symbol"]] = frame["price"]
        return seen == last

    await client.wait_for(f"the latest price of every symbol {last} (200 updates in 0.2 s)", up_to_date,
                          timeout=wait)
