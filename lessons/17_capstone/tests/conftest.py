"""Capstone fixtures: the demo people (with session cookies for real servers), the run's worker once the
tasks are registered, one real uvicorn server for the session, and in-process sockets.

Workers and Redis come from awaitlings (`celery_worker`, `celery_workers`, `redis_url`). WebSocket
clients: `channels.testing.WebsocketCommunicator` in-process, the `websockets` library against servers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest
from awaitlings.testing import ServerProcess

CSRF = secrets.token_hex(16)  # 32 characters: a valid CSRF secret, sent as cookie and header


@dataclass
class Person:
    user: object
    cookie: str  # "sessionid=...; csrftoken=..." for httpx and websockets

    @property
    def pk(self) -> int:
        return self.user.pk

    @property
    def username(self) -> str:
        return self.user.username


@pytest.fixture(scope="session")
def django_db_use_migrations() -> bool:
    """The test database is made from the models (pytest-django's --no-migrations): about 0.3 s sooner
    than replaying the migrations, in every check. No exercise touches a model or a migration; that the
    migrations match the models is test_examples' business (and the PostgreSQL flow migrates for real)."""
    return False


@pytest.fixture(autouse=True)
def _fresh_layer(fresh_channel_layer, _cancellable_receive):
    """Each test gets new layer objects: their Redis connections belong to one event loop."""


@pytest.fixture(scope="session")
def _cancellable_receive():
    """redis-py sometimes swallows the cancellation of a blocking read (BZPOPMIN, redis/redis-py#2028): a
    consumer's pending `channel_layer.receive` then never ends, and a closing in-process consumer hangs
    until the communicator gives up (its whole timeout, or for ever). In this test process the real
    receive runs in a task of its own: a cancelled caller returns at once, and the task is cancelled until
    it has really ended. Messages, order and errors are the layer's own; only the hang is gone."""
    import asyncio

    from channels_redis.core import RedisChannelLayer

    receive = RedisChannelLayer.receive

    async def cancellable_receive(self, channel):
        inner = asyncio.ensure_future(receive(self, channel))
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            def cancel_until_done():
                if not inner.done():
                    inner.cancel()
                    asyncio.get_running_loop().call_later(0.01, cancel_until_done)
            cancel_until_done()
            raise

    RedisChannelLayer.receive = cancellable_receive
    try:
        yield
    finally:
        RedisChannelLayer.receive = receive


@pytest.fixture
def people(settings) -> dict[str, Person]:
    """alice and bob (ACME: #apollo, #gemini), mallory (Initech: #tps), each logged in (a real session row)."""
    from django.contrib.auth import get_user_model

    # Demo passwords hashed the fast way: PBKDF2's 0.3 s per user is for real accounts, not test fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.db import transaction
    from django.test import Client

    from teams.demo import ensure_demo_data

    found = {}
    with transaction.atomic():  # one commit for the ~30 rows, before any other process reads them
        ensure_demo_data()
        for user in get_user_model().objects.filter(username__in=["alice", "bob", "mallory"]):
            client = Client()
            client.force_login(user)
            found[user.username] = Person(user, f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}")
    return found


@pytest.fixture
def worker(celery_worker):
    """The run's real worker (2 pool processes, both queues), once it knows the project's tasks."""
    celery_worker.expect_registered("reports.tasks.render_report", "chat.tasks.moderate_message",
                                    "realtime.tasks.ping_user")
    return celery_worker


@pytest.fixture(scope="session", autouse=True)
def _web_booting(redis_url):
    """The session's uvicorn, started (not waited for) before the first test, so it boots while the first
    tests run. It only opens the test database when a request comes, after `web` has created it."""
    from awaitlings.testing.celery import worker_env

    server = ServerProcess(["{python}", "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
                            "--port", "{port}", "--log-level", "warning", "--lifespan", "off",
                            "--timeout-graceful-shutdown", "1"], env=worker_env(redis_url, True))
    server.start()
    try:
        yield server
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def web(request, _web_booting):
    """One real uvicorn server for the whole run, on the run's Redis and test database. It imports the
    exercise files when they are first used, so it serves whatever each test is about."""
    request.getfixturevalue("django_db_setup")
    return _web_booting.wait_ready()


@pytest.fixture
def ws_options():
    """ws_options(server, person) → the websockets.connect keywords a browser's handshake would carry:
    its Origin (lesson 10's check) and its cookies."""

    def options(server, person: Person | None) -> dict:
        headers = {"Cookie": person.cookie} if person else {}
        return {"origin": f"http://127.0.0.1:{server.port}", "additional_headers": headers, "open_timeout": 5}

    return options


@pytest.fixture
def socket_to():
    """socket_to(path, person) → an in-process WebsocketCommunicator on the whole ASGI stack (Origin check,
    session auth, routing), logged in as `person` (or nobody)."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    def make(path: str, person: Person | None = None) -> WebsocketCommunicator:
        headers = [(b"origin", b"http://testserver")]
        if person:
            headers.append((b"cookie", person.cookie.encode()))
        return WebsocketCommunicator(application, path, headers=headers)

    return make


@pytest.fixture
def csrf_headers() -> dict[str, str]:
    return {"X-CSRFToken": CSRF}
