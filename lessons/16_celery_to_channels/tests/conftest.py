"""Lesson 16 fixtures: a listener on a user's group (what a browser tab would hear), the real ASGI
server, signed-in users with a session cookie, and a channel layer of its own that a test can stop.
Workers and the run's Redis come from awaitlings (`celery_worker`, `celery_workers`, `redis_url`)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time

import pytest
from awaitlings.testing import ServerProcess, fail, load


@pytest.fixture(autouse=True)
def _fresh_layers(fresh_channel_layer, monkeypatch):
    """A new channel layer object for every test (awaitlings.testing's fresh_channel_layer). channels_redis
    keeps receive state (a lock, buffers) on the layer object, and each async test has its own event loop:
    a layer reused from the previous test's loop can wait on a lock that loop still holds.

    And a short blocking read: a receive() can't be cancelled while Redis' BZPOPMIN waits
    (django/channels_redis#366), so each test's loop would wait up to 5 s for it at its end."""
    from channels_redis.core import RedisChannelLayer

    monkeypatch.setattr(RedisChannelLayer, "brpop_timeout", 0.2)


@pytest.fixture
def group_of():
    """`group_of(user_id)`: the learner's group_for(user_id), once Channels accepts it as a group name
    (exercises 2 and 3 build on exercise 1: a name Channels refuses would fail them for the wrong reason)."""

    def group_of(user_id: int, *, needed_by: str = "This exercise") -> str:
        bridge = load("realtime.bridge")
        from channels.layers import BaseChannelLayer

        try:
            name = bridge.group_for(user_id)
            BaseChannelLayer().require_valid_group_name(name)
        except Exception as error:  # noqa: BLE001
            fail(f"{needed_by} pushes through exercise 1's group_for(), which isn't done yet: "
                 f"group_for({user_id}) gave a name Channels refuses ({type(error).__name__}: {error}).")
        return name

    return group_of


@pytest.fixture
def new_user_id():
    """`new_user_id()`: a fresh user id (no row needed: pushes only carry the id)."""
    return lambda: random.randint(10**6, 10**9)


class Listener:
    """One channel in a group, received into a queue by a background task; each message is kept with
    the time it arrived (time.monotonic())."""

    def __init__(self, layer, group: str) -> None:
        self.layer, self.group = layer, group
        self.queue: asyncio.Queue = asyncio.Queue()
        self.channel = ""
        self.task: asyncio.Task | None = None

    async def start(self) -> Listener:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            self.queue.put_nowait((time.monotonic(), message))

    async def get(self, what: str, timeout: float = 3.0):
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            fail(f"Nothing reached the group {self.group!r} within {timeout:g} s; expected {what}.")

    async def nothing_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.queue.get(), seconds)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        if self.task:
            self.task.cancel()
            await asyncio.wait([self.task], timeout=0.5)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.layer.group_discard(self.group, self.channel), 0.5)


@pytest.fixture
async def listen():
    """`await listen(group)` (the project's layer) or `await listen(group, layer=...)`."""
    from channels.layers import get_channel_layer

    listeners: list[Listener] = []

    async def listen(group: str, layer=None) -> Listener:
        listener = await Listener(layer or get_channel_layer(), group).start()
        listeners.append(listener)
        return listener

    yield listen
    for listener in listeners:
        await listener.close()


@pytest.fixture(scope="session")
def server_started(request, redis_url):
    """uvicorn serving config.asgi with your files, on the run's Redis and test database, for the whole
    run (its pushes come from the session's worker through the same Redis). Started, not yet waited
    for: a module can ask for it early and let it boot while other tests run."""
    import os
    import signal

    from awaitlings.testing.celery import worker_env

    request.getfixturevalue("django_db_setup")
    env = worker_env(redis_url, django_db=True)
    srv = ServerProcess(["{python}", "-m", "uvicorn", "config.asgi:application", "--port", "{port}",
                         "--lifespan", "off", "--log-level", "warning",
                         # channels_redis can't cancel its blocking read (django/channels_redis#366): a
                         # closed socket's consumer lingers up to 5 s, and uvicorn would wait for it.
                         "--timeout-graceful-shutdown", "0"], env=env).start()
    try:
        yield srv
    finally:
        if srv.process is not None and srv.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(srv.process.pid, signal.SIGKILL)  # a test server: nothing to shut down gracefully
        srv.__exit__(None, None, None)


@pytest.fixture
def server(server_started):
    """The run's uvicorn, ready."""
    return server_started.wait_ready()


@pytest.fixture
def sign_in():
    """`sign_in("ana")` -> (user, cookie header): a real user row and session, committed, so a server
    process sees them (use with @pytest.mark.django_db(transaction=True))."""

    def sign_in(name: str):
        from django.contrib.auth import get_user_model
        from django.test import Client

        user = get_user_model().objects.create_user(username=f"{name}-{random.randint(1, 10**9)}")
        client = Client()
        client.force_login(user)
        return user, f"sessionid={client.cookies['sessionid'].value}"

    return sign_in


@pytest.fixture
def as_user():
    """`as_user(user)`: your NotifyConsumer as an ASGI app whose scope carries `user`, as
    AuthMiddlewareStack would put it there from a session cookie (for WebsocketCommunicator)."""
    from awaitlings.testing import need

    consumer_class = need(load("realtime.consumers"), "NotifyConsumer", "class")

    def as_user(user):
        consumer = consumer_class.as_asgi()

        async def app(scope, receive, send):
            return await consumer({**scope, "user": user}, receive, send)

        return app

    return as_user


@pytest.fixture
def publishes():
    """Every task message the test process sends: [{"task": name, "args": ...}]."""
    from celery.signals import before_task_publish

    sent: list[dict] = []

    def record(sender=None, body=None, **_):
        sent.append({"task": sender, "args": (body or [None])[0]})

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)
