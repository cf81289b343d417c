"""The fixtures every lesson's tests get, without a conftest (awaitlings.plugin registers this module):

    target_folder   the folder holding the files under test
    redis_url       $REDIS_URL, or a private redis-server for the whole session
    private_redis   a redis-server of this test's own, to stop (an outage) and start again
    chromium_path   Debian's chromium for Playwright
    browser         a Playwright Chromium for the session: the warm one (browser.py) or one launched
    browser_context a fresh context of it per test
    ws              WebSocket clients (websocket.py), all closed when the test ends
    fresh_channel_layer   new Channels layer objects for this test (their queues belong to one loop)
    celery_worker   Celery lessons: one real worker for the whole run (started while pytest collects)
    celery_workers  Celery lessons: workers of one test, each configured its own way
    sent_mail       the mail any process of the run sent through Django's file backend
    published_tasks every Celery task message the test process sent during the test
    within          `await within(seconds, awaitable, what)`: timing.within, as a fixture

Without Redis or a browser these skip locally with a one-line reason, and fail under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .. import session as lesson_run
from ..i18n import N_
from .core import target_root
from .timing import within as _within
from .services import HOW_TO_GET_REDIS, RedisServer, find_chromium, need_redis_server, redis_binary, unavailable
from .websocket import WebSocketClients


@pytest.fixture
def target_folder() -> Path:
    """The folder holding the files under test."""
    return target_root()


@pytest.fixture(scope="session")
def redis_url():
    """$REDIS_URL, or a private redis-server on a free port for this session (never the learner's data)."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if not redis_binary():
        unavailable("Redis", HOW_TO_GET_REDIS)
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def private_redis(redis_url):
    """A redis-server only this test uses, that it can stop and start again on the same port. It needs
    the redis-server binary ($REDIS_URL alone won't do); it depends on redis_url only for its skip/fail
    rule when Redis isn't available at all."""
    with need_redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's chromium for Playwright (never a browser downloaded by a tool)."""
    path = find_chromium()
    if not path:
        unavailable(N_("a Chromium browser"), N_("`sudo apt-get install chromium` (or set AWAITLINGS_CHROMIUM)"))
    try:
        import playwright  # noqa: F401
    except ImportError:
        unavailable("Playwright for Python", N_("`pip install playwright` (no `playwright install` needed)"))
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A Playwright (sync API) Chromium for the session: this user's warm browser (browser.py: kept
    between checks, reached in ~0.1 s instead of a 1-3 s launch), or one launched for this run where
    there is none (CI, `AWAITLINGS_WARM=0`, a keeper busy with another check). Use `browser_context`."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM_ARGS, endpoint

    # Playwright's own event loop needs no asyncio debug mode (the checker turns it on for the learner's
    # code); with it, every browser call gets several times slower.
    debug = os.environ.pop("PYTHONASYNCIODEBUG", None)
    try:
        manager = sync_playwright()
        playwright = manager.start()
    finally:
        if debug is not None:
            os.environ["PYTHONASYNCIODEBUG"] = debug
    from ..i18n import _
    from .core import status

    status(_("starting Chromium"))
    try:
        chromium, url = None, endpoint(chromium_path)
        if url:
            try:
                chromium = playwright.chromium.connect_over_cdp(url, timeout=5_000)
            except Exception:  # noqa: BLE001 - busy or gone: launch one of our own
                chromium = None
        if chromium is None:
            chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, timeout=20_000)
        try:
            yield chromium
        finally:
            chromium.close()  # a warm browser: only the connection (its keeper disposes of what is left)
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture
def browser_context(browser):
    """A fresh browser context (its own cookies, storage and pages) for this test, closed after it."""
    context = browser.new_context()
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
async def ws():
    """`await ws.open(app, path)`, `ws.client(app, path, headers, label)`, `await ws.open_server(server, path)`."""
    clients = WebSocketClients()
    yield clients
    await clients.close_all()


@pytest.fixture
def fresh_channel_layer():
    """New channel layer objects for this test: in-memory queues and Redis pools belong to one event loop.
    A lesson whose tests all need it asks for it once, in its conftest:
    `@pytest.fixture(autouse=True)` / `def _fresh_layer(fresh_channel_layer): ...`."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def within():
    """`await within(seconds, awaitable, what)`: the result, or a clear failure when it takes too long."""
    return _within


# --- Celery (lessons 12-18) ----------------------------------------------------------------------------


def _celery_app() -> str:
    run = lesson_run.active()
    return (run.lesson.celery_app if run else None) or "config"


def prestart_celery_worker(run, items: list[pytest.Item]) -> None:
    """Start the run's worker while pytest still sets up (about 0.3 s of boot overlapped), when a selected
    test will ask for it. Safe before any check of the learner's app: see worker_env. (Called by the
    plugin once collection is over.)"""
    if not run.lesson.celery_app or not any("celery_worker" in item.fixturenames for item in items):
        return
    redis = os.environ.get("REDIS_URL")
    if not redis:
        return
    from .celery import CeleryWorker, django_db_active, worker_env

    env = worker_env(redis, django_db_active(items[0].config))
    try:
        run.celery_worker = CeleryWorker(run.lesson.celery_app, concurrency=2, env=env).start()
    except Exception:  # noqa: BLE001 - the fixture starts it again and explains
        run.celery_worker = None


@pytest.fixture(scope="session")
def celery_worker(request, redis_url):
    """One real `celery -A <celery_app> worker` process (2 prefork pool processes) for the whole run,
    on the run's Redis and test database. Waited for until ready; stopped with SIGTERM, then SIGKILL."""
    from .celery import CeleryWorker, django_db_active, worker_env

    worker = getattr(lesson_run.active(), "celery_worker", None)
    if worker is None:
        worker = CeleryWorker(_celery_app(), concurrency=2,
                              env=worker_env(redis_url, django_db_active(request))).start()
    if django_db_active(request):
        request.getfixturevalue("django_db_setup")  # created and migrated before a task can open it
    try:
        worker.wait_ready()
        yield worker
    finally:
        # Every test has awaited its results by now: the warm shutdown's slow part (about 1.5 s joining the
        # pool's threads) protects nothing here, so SIGKILL follows SIGTERM after a short grace.
        worker.stop(grace=0.1)
        worker.close()


@pytest.fixture
def celery_workers(request, redis_url):
    """Workers for one test, each configured its own way: `celery_workers.start(queues=["reports"])`.
    Every one is stopped when the test ends."""
    from .celery import WorkerPool, django_db_active, worker_env

    django_db = django_db_active(request)
    if django_db:
        request.getfixturevalue("django_db_setup")
    pool = WorkerPool(_celery_app(), worker_env(redis_url, django_db))
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def sent_mail(settings):
    """The mail any process of the run sent through Django's file backend (EMAIL_FILE_PATH), emptied
    before the test: `sent_mail.wait_for("ada@example.com")`."""
    from .mail import MailFolder

    folder = MailFolder(settings.EMAIL_FILE_PATH)
    folder.clear()
    return folder


@pytest.fixture
def published_tasks():
    """Every Celery task message the test process sends during the test (`.names`, `.of(task)`, and per
    message its id and whether a transaction was open)."""
    from celery.signals import after_task_publish

    from .celery import TaskPublishes

    recorder = TaskPublishes()
    after_task_publish.connect(recorder, weak=False)
    try:
        yield recorder
    finally:
        after_task_publish.disconnect(recorder)
