"""What both fork servers share: import pytest, Django, Channels and the checker once, then fork a child
per run. warm.py serves a learner's checks (a unix socket per course); grading/zygote.py serves batch
grading (a socket pair per grader, children sandboxed). Each keeps its own request format and child
set-up; this module holds the parts that must not drift apart:

- `preload`: the modules worth importing before the fork (and pytest's plugin lookup, done once);
- `ForkServer`: preloading with the collector frozen, the SIGCHLD wake-up pipe, the selector, forking
  and reaping;
- `adopt_environment`, `reset_signals`: the first steps of every forked child.

Nothing here imports the grading package: the warm server is on the learner's path."""

from __future__ import annotations

import gc
import os
import selectors
import signal
import sys
import threading
from collections.abc import Callable, Iterator

PRELOAD = ("pytest", "_pytest.config", "_pytest.python", "_pytest.main", "_pytest.runner", "_pytest.reports",
           "pytest_asyncio.plugin", "pytest_django.plugin", "awaitlings.plugin", "awaitlings.testing",
           "awaitlings.testing.fixtures", "awaitlings.diagnostics", "asyncio", "concurrent.futures", "django",
           "django.test", "django.core.handlers.asgi", "django.http", "django.urls", "django.views", "httpx",
           "asgiref.sync", "uvicorn", "channels", "channels.testing", "channels.layers",
           "channels.generic.websocket", "redis", "redis.asyncio",
           # What the first request or server of a lesson imports next (seen in the children's sys.modules):
           "pdb", "xml.etree.ElementTree", "certifi", "h11", "httpcore", "anyio._backends._asyncio",
           "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.http.httptools_impl",
           "uvicorn.protocols.websockets.websockets_sansio_impl", "uvicorn.protocols.websockets.wsproto_impl",
           "uvicorn.lifespan.off", "uvicorn.lifespan.on", "uvicorn.loops.asyncio", "websockets.server",
           "django.shortcuts", "django.middleware.common", "django.middleware.security", "django.middleware.csrf",
           "django.template.loaders.filesystem", "django.template.loaders.cached",
           "django.template.loaders.app_directories", "django.template.context_processors", "django.utils.cache",
           "django.db.backends.sqlite3.base", "django.core.management", "channels_redis.core", "channels.auth",
           "channels.routing", "channels.security.websocket", "celery", "multiprocessing.pool",
           "concurrent.futures.process",
           # Celery lessons: a worker forked from here starts in ~0.2 s instead of ~0.6 s.
           "celery.bin.celery", "celery.bin.worker", "celery.bin.beat", "celery.apps.worker", "celery.apps.beat",
           "celery.worker.consumer", "celery.worker.strategy", "celery.concurrency.prefork", "billiard.pool",
           "kombu.transport.redis", "celery.backends.redis", "celery.app.trace", "celery.result", "celery.canvas",
           "celery.beat", "celery.contrib.abortable", "dj_database_url",
           # The capstone's reports (17, 18): fpdf costs ~0.25 s to import in the test process, its server
           # and its worker alike; pypdf reads the PDF back in the tests.
           "fpdf", "pypdf",
           # Lessons with `daphne` in INSTALLED_APPS (08-10): django.setup() imports daphne.server, ~0.3 s of
           # Twisted and autobahn. Preload those, never daphne.server itself: it installs Twisted's reactor on
           # a new event loop, whose epoll instance every forked child (two daphne servers) would share.
           "twisted.internet.asyncioreactor", "twisted.internet.tcp", "twisted.internet._newtls",
           "twisted.protocols.tls", "twisted.internet.endpoints", "twisted.logger", "twisted.web.http",
           "autobahn.twisted.websocket")
MAX_MESSAGE = 1 << 20


def preload(extra: tuple[str, ...] = ()) -> list[str]:
    """Import PRELOAD, pytest's default plugins and `extra`; the names that failed to import."""
    from awaitlings import leanstack

    leanstack.install()  # before anything imports asyncio
    failed = []
    try:
        from _pytest.config import default_plugins
    except ImportError:
        default_plugins = ()
    for name in (*PRELOAD, *(f"_pytest.{plugin}" for plugin in default_plugins), *extra):
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a library a course doesn't use may be missing
            failed.append(name)
    _scan_entry_points_once()
    return failed


def _scan_entry_points_once() -> None:
    """pytest looks for every `-p NAME` among the entry points of all installed packages before it
    imports NAME: about 12 ms per option, three or four options per run. Packages can't change under a
    fork server (warm servers are keyed by them; a zygote lives for one batch), so look once, here: a
    child then only scans for a name that really is an entry point, exactly as pytest would."""
    try:
        import importlib.metadata

        from _pytest.config import PytestPluginManager

        names = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
    except Exception:  # noqa: BLE001 - then every child scans, as usual
        return
    scan = PytestPluginManager.load_setuptools_entrypoints

    def load_setuptools_entrypoints(self, group: str, name: str | None = None) -> int:
        if group == "pytest11" and name is not None and name not in names:
            return 0  # what the scan would find
        return scan(self, group, name)

    PytestPluginManager.load_setuptools_entrypoints = load_setuptools_entrypoints


def adopt_environment(env: dict[str, str]) -> None:
    """In a forked child: the request's environment replaces the server's, caches included."""
    os.environ.clear()
    os.environ.update(env)
    import tempfile

    tempfile.tempdir = None  # cached from the server's environment: the request's TMPDIR decides


def reset_signals() -> None:
    """In a forked child: undo the server's signal set-up (its wake-up pipe, its SIGCHLD handler)."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)


class ForkServer:
    """The skeleton of a fork server: `prepare()` once, `watch()` its sockets, then loop over
    `select()`; `is_wake(key)` means children exited: collect them with `reaped()`."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.wake_read = self.wake_write = -1

    def prepare(self, extra: tuple[str, ...] = ()) -> list[str]:
        """Preload with the collector frozen: children never scan (or copy on write) the preloaded objects.
        Returns the modules that failed to import."""
        gc.disable()
        failed = preload(extra)
        gc.collect()
        gc.freeze()
        gc.enable()
        return failed

    @staticmethod
    def single_threaded() -> bool:
        """Forking is only safe while this is the only thread (a preloaded module may have started one)."""
        return threading.active_count() == 1

    def install_wakeup(self) -> None:
        """SIGCHLD writes to a pipe the selector watches, so an exit wakes the loop at once."""
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_write)
        self.selector.register(self.wake_read, selectors.EVENT_READ)

    def watch(self, fileobj) -> None:
        self.selector.register(fileobj, selectors.EVENT_READ)

    def unwatch(self, fileobj) -> None:
        try:
            self.selector.unregister(fileobj)
        except (KeyError, ValueError):
            pass

    def select(self, timeout: float | None = None) -> list:
        return [key for key, _ in self.selector.select(timeout)]

    def is_wake(self, key) -> bool:
        return key.fileobj == self.wake_read

    def reaped(self) -> Iterator[tuple[int, int]]:
        """(pid, exit code as Popen reports it) of every child that has exited."""
        try:
            while os.read(self.wake_read, 512):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            yield pid, os.waitstatus_to_exitcode(status)

    def own_fds(self) -> list[int]:
        """The server's own descriptors, which a child must close."""
        return [self.wake_read, self.wake_write]

    @staticmethod
    def fork(child: Callable[[], None], fds: list[int]) -> int:
        """Fork; the child runs `child()` (which must end with os._exit), the server closes the
        request's `fds` (the child has its copies) and gets the pid."""
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            child()
            os._exit(1)  # child() must not return
        for fd in fds:
            os.close(fd)
        return pid
