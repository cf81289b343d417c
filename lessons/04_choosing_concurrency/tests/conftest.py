"""Lesson 04's fixtures: the polite server and its counters (course-owned)."""

from __future__ import annotations

import functools
import json
import secrets
import urllib.request
from pathlib import Path

import pytest

from awaitlings import testing
from awaitlings.testing import ServerProcess


@pytest.fixture(scope="session", autouse=True)
def _polite_process(request):
    """One uvicorn for the whole session (each test resets its counters), started as the session's first
    test begins when any test of the session needs it: it boots while the tests before ex04's run. The
    server runs without asyncio debug mode (the plugin turns it on for the code under test, not for the
    course's server)."""
    if not any("polite" in getattr(item, "fixturenames", ()) for item in request.session.items):
        yield None
        return
    cmd = ["{python}", "-m", "uvicorn", "polite_server:app", "--port", "{port}", "--log-level", "warning"]
    server = ServerProcess(cmd, env={"PYTHONASYNCIODEBUG": ""}).start()
    try:
        yield server
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def _polite_server(_polite_process):
    yield _polite_process.wait_ready()


class Polite:
    """The polite server as a test sees it: configure it, read its counters, know its answers."""

    def __init__(self, process: ServerProcess) -> None:
        self.url = process.url
        self.secret = ""

    def configure(self, *, limit: int = 4, latency: float = 0.05, flaky: dict[int, int] | None = None) -> None:
        self.secret = secrets.token_hex(6)
        config = {"limit": limit, "latency": latency, "flaky": flaky or {}, "secret": self.secret, "flaky_chance": 0}
        self._call("/reset", config)

    def stats(self) -> dict:
        return self._call("/stats")

    def _call(self, path: str, payload: dict | None = None) -> dict:
        # Plain urllib: a new httpx.Client per call costs ~0.05-0.1 s of SSL set-up, three times a test.
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:  # raises on an error status
            return json.loads(response.read() or b"null")

    def body(self, item: int) -> dict:
        from polite_server import item_value

        return {"id": item, "value": item_value(self.secret, item)}


@pytest.fixture
def polite(_polite_server, monkeypatch, tmp_path) -> Polite:
    # Every httpx client the code under test creates builds an SSL context, and loading certifi's CA bundle
    # into it costs 0.05-0.25 s of CPU, once per test: more than the requests. The server is plain http, so
    # no certificate is ever checked: a CA *directory* (loaded lazily, when a certificate needs checking)
    # makes the context cost nothing. The system's directory where there is one, else an empty one.
    ca_dir = Path("/etc/ssl/certs")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(ca_dir if ca_dir.is_dir() else tmp_path))
    server = Polite(_polite_server)
    server.configure()
    return server


@pytest.fixture
def within():
    """awaitlings.testing.within, with this lesson's own advice."""
    return functools.partial(testing.within, advice="Is something waiting for an event that never comes?")
