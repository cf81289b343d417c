"""Fixtures for lesson 09 (WebSocket clients come from awaitlings.testing's `ws` fixture):

- `application`: the project's ASGI app on the in-memory layer, for the fast in-process tests
  (`await ws.open(application, path)`);
- `servers`: two real daphne processes serving the files under test and sharing one Redis
  (the `redis_url` fixture: $REDIS_URL or a private redis-server), started once per session
  (`await ws.open_server(server, path)`); `booting_servers` the same two before they listen.
Every process is stopped afterwards."""

import pytest
from awaitlings.testing import ServerProcess, load
from django.test import override_settings

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def application():
    """The project's ASGI app (course-owned asgi.py + routing, your consumer), on the in-memory layer."""
    with override_settings(CHANNEL_LAYERS=IN_MEMORY):
        yield load("project.asgi").application


@pytest.fixture(scope="session")
def booting_servers(redis_url):
    """Two daphne processes serving the files under test, both with REDIS_URL set to one Redis: started,
    not yet waited for (`wait_ready()` each, or ask for `servers`), so a test can start its browser meanwhile."""
    cmd = ["{python}", "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "project.asgi:application"]
    # No asyncio debug mode in the servers: it is for diagnosing the test's own loop, and it slows
    # daphne down several times.
    # (DJANGO_SETTINGS_MODULE comes from lesson.toml's django_settings, through the plugin.)
    env = {"REDIS_URL": redis_url, "PYTHONASYNCIODEBUG": ""}
    pair = [ServerProcess(cmd, env=env, ready_timeout=30) for _ in range(2)]
    try:
        for server in pair:
            server.start()  # both boot at once
        yield pair
    finally:
        for server in pair:
            server.stop()


@pytest.fixture(scope="session")
def servers(booting_servers):
    """The two daphne processes, listening."""
    return [server.wait_ready() for server in booting_servers]
