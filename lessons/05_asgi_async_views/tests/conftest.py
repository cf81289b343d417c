"""Course-owned fixtures for lesson 05.

- the slow upstream service (upstream.py) runs in a background thread of the test process;
- `asgi_get` sends a request through Django's AsyncClient the way Django's ASGI handler would under
  uvicorn: each request in its own ThreadSensitiveContext, so a sync view gets a thread per request,
  as in production (the bare test client would queue every sync view on one shared thread);
- `web` is a real uvicorn process serving the files under test. It is started once, while the tests
  are collected, so its start-up overlaps the in-process tests; only the tests that use it wait.
The checks the test modules share (timing, JSON, overlap) are in support.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import threading
import time

import pytest

from awaitlings.testing import ServerProcess, fail, wait_for_port
from support import DELAY, SLOW_CALLBACK, SleepWatch


class _Services:
    """The upstream thread and the uvicorn process, shared by the whole session."""

    def __init__(self) -> None:
        self._upstream_cm = None
        self.upstream_url = ""
        self.upstream = None
        self.web: ServerProcess | None = None
        self.web_ready = False
        self._warm_up: threading.Thread | None = None

    def start_upstream(self) -> None:
        if self._upstream_cm is None:
            import upstream as upstream_module  # course-owned, next to the files under test

            self._upstream_cm = upstream_module.serve_in_thread(DELAY)
            self.upstream_url, self.upstream = self._upstream_cm.__enter__()

    def start_web(self) -> None:
        if self.web is None:
            self.start_upstream()
            self.web = ServerProcess(
                ["{python}", "-m", "uvicorn", "project.asgi:application", "--host", "127.0.0.1",
                 "--port", "{port}", "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
                env={"UPSTREAM_URL": self.upstream_url, "PING_DELAY": str(DELAY), "DJANGO_DEBUG": "1"},
            ).start()
            # Django finishes loading on its first request: have it served while the other tests run.
            self._warm_up = threading.Thread(target=self._first_request, args=(self.web,), daemon=True)
            self._warm_up.start()

    @staticmethod
    def _first_request(web: ServerProcess) -> None:
        # A bare socket, not httpx: a new httpx client builds a TLS context, tens of ms of CPU that
        # would hold the GIL while the tests are timing the event loop.
        try:
            wait_for_port(web.port, web.ready_timeout, process=web.process)
            # Only the home page: it calls no upstream, so the warm-up can never be counted in flight
            # next to a test's own calls. (The uvicorn test sends its counted stock checks first, so the
            # first use of httpx's async machinery never lands in a timed request.)
            with socket.create_connection(("127.0.0.1", web.port), timeout=web.ready_timeout) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                while sock.recv(65536):
                    pass
        except Exception:  # noqa: BLE001 - the `web` fixture reports a server that won't start
            pass

    def ready_web(self) -> ServerProcess:
        self.start_web()
        if not self.web_ready:
            self._warm_up.join(self.web.ready_timeout + 5)
            self.web.wait_ready()
            self.web_ready = True
        return self.web

    def stop(self) -> None:
        # The session is over and this process is about to exit: no graceful shutdowns, which would
        # make the learner wait for uvicorn's 0.1 s ticks. The web process holds no state worth
        # saving, so it is killed; the upstream thread is a daemon, told to stop and left to die with
        # the process.
        web, self.web = self.web, None
        if web is not None and web.process is not None and web.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(web.process.pid, signal.SIGKILL)
        if web is not None:
            web.__exit__(None, None, None)  # reaps the killed process, closes its log
        if self._upstream_cm is not None:
            cm, self._upstream_cm = self._upstream_cm, None
            threading.Thread(target=cm.__exit__, args=(None, None, None), daemon=True).start()


_services = _Services()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # trylast: after the checker has dropped the tests of exercises not being checked.
    if any("web" in getattr(item, "fixturenames", ()) for item in items):
        _services.start_web()
    config.add_cleanup(_services.stop)


@pytest.fixture(scope="session")
def upstream():
    """The upstream app (its counters show how many calls overlapped); Django settings point at it."""
    from django.conf import settings

    _services.start_upstream()
    settings.UPSTREAM_URL = _services.upstream_url
    settings.PING_DELAY = DELAY
    # Django imports the URLconf, the middleware and what they import on its first request. Serve one
    # now (the home page calls no exercise), so that no timed request pays for it.
    from django.test import Client

    Client().get("/")
    return _services.upstream


_failed_in_module: dict[str, list[str]] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    if report.failed:
        _failed_in_module.setdefault(str(item.path), []).append(item.name)
    return report


@pytest.fixture
def web(request, upstream) -> ServerProcess:
    """A real uvicorn process serving project.asgi:application from the files under test.

    When a test of the same file already failed in-process, the same code can't do better under a
    real server: the test fails at once, pointing there, instead of making the learner wait for it."""
    failed = _failed_in_module.get(str(request.node.path))
    if failed:
        fail(
            f"Not run under uvicorn yet: {', '.join(failed)} failed above, and a real server runs the same "
            "views the same way. Fix that first."
        )
    server = _services.ready_web()
    if server.process.poll() is not None:
        fail(f"The uvicorn server stopped (exit code {server.process.returncode}).\n{server.output()[-1500:]}")
    return server


@pytest.fixture
def asgi_get(upstream):
    """`await asgi_get(path, params)`: one request through Django, as uvicorn would hand it over."""
    from asgiref.sync import ThreadSensitiveContext
    from django.test import AsyncClient

    async def get(path: str, params: dict | None = None):
        asyncio.get_running_loop().slow_callback_duration = SLOW_CALLBACK
        async with ThreadSensitiveContext():
            return await AsyncClient().get(path, params or {}, headers={"accept": "application/json"})

    return get


@pytest.fixture
def sleep_watch(monkeypatch):
    watch = SleepWatch(shortest=DELAY / 2)
    monkeypatch.setattr(asyncio, "sleep", watch.async_sleep)
    monkeypatch.setattr(time, "sleep", watch.sync_sleep)
    return watch
