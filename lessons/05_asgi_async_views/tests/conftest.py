"""Course-owned fixtures for lesson 05.

- the slow upstream service (upstream.py) runs in a background thread of the test process;
- `asgi_get` sends a request through Django's AsyncClient the way Django's ASGI handler would under
  uvicorn: each request in its own ThreadSensitiveContext, so a sync view gets a thread per request,
  as in production (the bare test client would queue every sync view on one shared thread);
- `web` is a real uvicorn process serving the files under test. It is started once, while the tests
  are collected, so its start-up overlaps the in-process tests; only the tests that use it wait."""

from __future__ import annotations

import asyncio
import os
import random
import string
import sys
import threading

import pytest

from awaitlings.testing import ExerciseProblem, ServerProcess, Stopwatch, fail, wait_for_port

DELAY = 0.1  # /price and /ex02/ping wait this long, /stock and /reviews 1.5 times this (upstream.WEIGHTS)
REQUEST_TIMEOUT = 4.0


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
        import httpx

        try:
            wait_for_port(web.port, web.ready_timeout, process=web.process)
            httpx.get(web.url + "/", timeout=web.ready_timeout)
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
        # Stop both at once: each takes a moment to shut down gracefully.
        web, self.web = self.web, None
        stopper = threading.Thread(target=web.__exit__, args=(None, None, None)) if web else None
        if stopper:
            stopper.start()
        if self._upstream_cm is not None:
            self._upstream_cm.__exit__(None, None, None)
            self._upstream_cm = None
        if stopper:
            stopper.join(15)


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
    return _services.upstream


@pytest.fixture
def web(upstream) -> ServerProcess:
    """A real uvicorn process serving project.asgi:application from the files under test."""
    server = _services.ready_web()
    if server.process.poll() is not None:
        fail(f"The uvicorn server stopped (exit code {server.process.returncode}).\n{server.output()[-1500:]}")
    return server


def random_sku() -> str:
    return "SKU-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=6))


@pytest.fixture
def asgi_get(upstream):
    """`await asgi_get(path, params)`: one request through Django, as uvicorn would hand it over."""
    from asgiref.sync import ThreadSensitiveContext
    from django.test import AsyncClient

    async def get(path: str, params: dict | None = None):
        async with ThreadSensitiveContext():
            return await AsyncClient().get(path, params or {}, headers={"accept": "application/json"})

    return get


async def all_within(calls, what: str, timeout: float = REQUEST_TIMEOUT) -> list:
    """Run the awaitables concurrently; fail (instead of hanging) when they take too long."""
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.gather(*calls)
    except TimeoutError:
        fail(f"{what} did not answer within {timeout:.0f} s.")


def json_of(response, what: str) -> dict:
    """The JSON body of a 200 response, or a failure that says what came back instead."""
    status = getattr(response, "status_code", None)
    body = response.content if hasattr(response, "content") else b""
    if status != 200:
        text = body.decode(errors="replace").strip()
        fail(f"{what} answered HTTP {status}, expected 200 with JSON. It said: {_last_lines(text)}")
    try:
        return response.json()
    except ValueError:
        fail(f"{what} answered {body[:200]!r}, which isn't JSON. Return a JsonResponse.")


def _last_lines(text: str) -> str:
    """A Django plain-text error page starts with the exception; other bodies are cut short."""
    if "Traceback" in text:
        # Django's plain-text debug page: "KeyError at /path", then the exception's message.
        return " ".join(text.splitlines()[:2])[:300]
    return text[:300]


def expect_json(got: dict, want: dict, what: str) -> None:
    if got != want:
        wrong = {k: got.get(k, "<missing>") for k in want if got.get(k, object()) != want[k]}
        extra = sorted(set(got) - set(want))
        detail = f"wrong or missing: {wrong}" + (f"; unexpected keys: {extra}" if extra else "")
        fail(f"{what}: expected {want}, got {got} ({detail}).")


def expect_waits_overlapped(elapsed: float, waits: list[float], what: str) -> None:
    """Fail unless waits that would take sum(waits) one after another overlapped.

    Waits in a row can never take less than their sum, so the bar sits close to it (85% of the way
    from the longest wait to the sum): a Django request on a busy 2-core machine has room for its own
    overhead, and a sequential answer still can't pass."""
    slowest, total = max(waits), sum(waits)
    bar = slowest + 0.85 * (total - slowest)
    if elapsed >= bar:
        fail(
            f"{what} took {elapsed:.2f} s: the {len(waits)} waits ran one after another (together {total:.2f} s). "
            f"Waiting together, they take about {slowest:.2f} s."
        )
    if elapsed < slowest * 0.8:
        fail(f"{what} took {elapsed:.3f} s, less than one wait ({slowest:.2f} s): were the waits really awaited?")


async def timed(measure, waits: list[float], what: str, overlap_seen=lambda: False, tries: int = 3) -> None:
    """Time `measure()` (an async function that checks its own results) against `waits`.

    A busy machine can slow one concurrent run past the bar, so an unclear run is measured again, up to
    `tries` times: when it took less than the waits' sum (no sequential answer can), or when the
    upstream saw the calls overlap. A clearly sequential run fails at once."""
    best = float("inf")
    for attempt in range(1, tries + 1):
        with Stopwatch() as sw:
            await measure()
        best = min(best, sw.elapsed)
        try:
            expect_waits_overlapped(sw.elapsed, waits, what)
            return
        except ExerciseProblem as problem:
            overlapped = overlap_seen()
            if attempt < tries and (overlapped or sw.elapsed < sum(waits)):
                continue
            if overlapped:
                fail(
                    f"{what}: the calls did overlap at the upstream, but the fastest of {tries} tries took "
                    f"{best:.2f} s, not about {max(waits):.2f} s. Is something else in the view slow, such as "
                    "a blocking call or a new default httpx client per call? (On a very busy machine, check again.)"
                )
            raise problem


def expect_overlap(upstream, calls: int, each: float, elapsed: float, what: str) -> None:
    """Fail unless the upstream had more than one of these calls in flight at some moment.

    The upstream counts its requests in flight. A view that blocks the event loop can only ever have
    one call out at a time, however fast or slow the machine is, so this can't be fooled by load."""
    if upstream.peak < 2:
        fail(
            f"{what} reached the upstream one at a time and took {elapsed:.2f} s in all "
            f"({calls} waits of {each:.2f} s in a row). Waiting together, they take about {each:.2f} s."
        )


def threads_inside(path: str) -> int:
    """How many threads, other than this one, are running code from the file `path` or waiting in a
    blocking httpx.Client call right now (an async view waits on the loop, not in a thread)."""
    target = os.path.realpath(path)
    sync_client_file = os.path.join("httpx", "_client.py")
    current = threading.get_ident()
    count = 0
    for ident, frame in sys._current_frames().items():  # noqa: SLF001 - the one way to see other threads
        if ident == current:
            continue
        while frame is not None:
            code = frame.f_code
            in_view = os.path.realpath(code.co_filename) == target
            in_sync_client = code.co_filename.endswith(sync_client_file) and code.co_qualname.startswith("Client.")
            if in_view or in_sync_client:
                count += 1
                break
            frame = frame.f_back
    return count


@pytest.fixture
def kit():
    """The helpers above, for the test modules (they never import conftest directly)."""
    from types import SimpleNamespace

    import upstream as upstream_module

    return SimpleNamespace(
        price_of=upstream_module.price_of,
        stock_of=upstream_module.stock_of,
        reviews_of=upstream_module.reviews_of,
        weights=upstream_module.WEIGHTS,
        DELAY=DELAY,
        random_sku=random_sku,
        all_within=all_within,
        json_of=json_of,
        expect_json=expect_json,
        expect_overlap=expect_overlap,
        expect_waits_overlapped=expect_waits_overlapped,
        timed=timed,
        threads_inside=threads_inside,
    )
