"""ex04: check_ping_consumer must pass a correct PingConsumer and fail each broken one.

The consumers here are the course's own, so this exercise does not depend on your ex02."""

import asyncio

import pytest
from awaitlings.testing import fail, load, need
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class GoodPing(AsyncJsonWebsocketConsumer):
    online: set = set()

    async def connect(self):
        await self.accept()
        type(self).online.add(self.channel_name)
        await self.send_json({"type": "welcome", "online": len(type(self).online)})

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "id": content.get("id")})
        else:
            await self.send_json({"type": "error", "error": "unknown message type"})

    async def disconnect(self, code):
        type(self).online.discard(self.channel_name)


class EchoPing(GoodPing):
    """Sends the ping back instead of a pong."""

    online: set = set()

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json(content)
        else:
            await super().receive_json(content)


class StaleIdPing(GoodPing):
    """Answers with a pong carrying the id of the previous ping."""

    online: set = set()
    last = None

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "id": self.last})
            self.last = content.get("id")
        else:
            await super().receive_json(content)


class FragilePing(GoodPing):
    """Closes the connection on a message it does not know."""

    online: set = set()

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await super().receive_json(content)
        else:
            await self.close(code=4000)


class LeakyPing(GoodPing):
    """Forgets to forget: disconnected clients stay counted."""

    online: set = set()

    async def disconnect(self, code):
        pass


class Tracked:
    """Wraps a consumer app: counts connections, and which of them were disconnected by the client."""

    def __init__(self, consumer) -> None:
        self.app = consumer.as_asgi()
        self.opened = 0
        self.disconnected = 0
        self.tasks: list[asyncio.Task] = []

    async def __call__(self, scope, receive, send):
        self.opened += 1
        self.tasks.append(asyncio.current_task())

        async def tracked_receive():
            message = await receive()
            if message["type"] == "websocket.disconnect":
                self.disconnected += 1
            return message

        await self.app(scope, tracked_receive, send)

    async def cleanup(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


@pytest.fixture
def check():
    return need(load("ex04_check_ping"), "check_ping_consumer", "coroutine function")


@pytest.fixture
async def tracked():
    made: list[Tracked] = []

    def _make(consumer) -> Tracked:
        made.append(Tracked(consumer))
        return made[-1]

    yield _make
    for app in made:
        await app.cleanup()


async def run_check(check, app) -> BaseException | None:
    try:
        await asyncio.wait_for(check(app, "/ws/ping/"), timeout=4)
    except (asyncio.TimeoutError, TimeoutError) as error:
        return error
    except Exception as error:  # noqa: BLE001 - any failure of the check counts as "caught"
        return error
    return None


async def test_your_check_passes_a_correct_consumer(check, tracked):
    # The exercise itself first: a check that passes everything would pass this test by accident.
    if await run_check(check, tracked(EchoPing)) is None:
        fail("check_ping_consumer passed a consumer that echoes the ping back instead of answering with a pong; "
             "it should raise AssertionError.")
    error = await run_check(check, tracked(GoodPing))
    if error is not None:
        fail(f"check_ping_consumer rejected a correct PingConsumer: {type(error).__name__}: {error}")


@pytest.mark.parametrize(
    "broken, what",
    [
        (EchoPing, "echoes the ping back instead of answering with a pong"),
        (StaleIdPing, "answers with a pong carrying the wrong id"),
        (FragilePing, "closes the connection when it gets a message it doesn't know"),
        (LeakyPing, "keeps counting clients that have disconnected"),
    ],
    ids=["echo", "wrong-id", "closes-on-unknown", "never-forgets"],
)
async def test_your_check_fails_a_broken_consumer(check, tracked, broken, what):
    if await run_check(check, tracked(broken)) is None:
        fail(f"check_ping_consumer passed a consumer that {what}; it should raise AssertionError.")


@pytest.mark.parametrize("consumer", [GoodPing, EchoPing], ids=["when-it-passes", "when-it-fails"])
async def test_your_check_disconnects_every_client_it_opens(check, tracked, consumer):
    app = tracked(consumer)
    await run_check(check, app)
    left_open = app.opened - app.disconnected
    if app.opened == 0:
        fail("check_ping_consumer never opened a connection.")
    if left_open:
        fail(f"check_ping_consumer opened {app.opened} connection(s) and left {left_open} open: "
             "call `await communicator.disconnect()` for each, even when an assert fails.")
