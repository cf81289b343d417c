"""A private `redis-server` for one test run: on a free loopback port, no persistence, never the
learner's own Redis. It can be stopped and started again on the same port, so a test can show what
an app does while Redis is down (and after it comes back)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .ports import free_port, wait_for_port  # (not the package: services.py imports this module)

__all__ = ["RedisServer", "redis_binary", "die_with_parent", "child_setup"]


def child_setup():
    """The `preexec_fn` for a service a test starts: `die_with_parent` from the main thread; from another
    thread only a new session, since Linux sends the parent-death signal when the starting *thread* ends
    (a worker started from a thread pool would die with the pool's thread)."""
    import threading

    return die_with_parent if threading.current_thread() is threading.main_thread() else os.setsid


def die_with_parent() -> None:
    """A `preexec_fn`: a new session (so the group can be signalled), and SIGKILL when the test process
    dies (Linux), so a test run killed at its time limit leaves no Redis or worker behind. Only for
    processes started from the main thread (see child_setup)."""
    os.setsid()
    try:
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def redis_binary() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """`with RedisServer() as redis: redis.url` — or start()/stop()/restart() by hand.

    Keys are lost on stop (no RDB, no AOF): a restart is an empty Redis, like a fresh container."""

    def __init__(self, port: int | None = None, *, workdir: Path | None = None) -> None:
        self.port = port or free_port()
        self.workdir = Path(workdir or os.environ.get("TMPDIR") or tempfile.gettempdir())
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def db_url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 10.0) -> RedisServer:
        binary = redis_binary()
        if not binary:
            raise FileNotFoundError("redis-server is not installed")
        if self.running:
            return self
        from ..i18n import _
        from .core import status

        status(_("starting a private Redis"))
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--daemonize", "no", "--loglevel", "warning",
             # Celery's Redis transport keeps its bindings in keys: evicting them breaks routing silently.
             "--maxmemory-policy", "noeviction"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_setup(),
        )
        wait_for_port(self.port, timeout, process=self.process)
        return self

    def stop(self) -> None:
        """Stop at once (SIGKILL): what a crashed or unplugged Redis looks like to its clients."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        self.process = None

    def restart(self, timeout: float = 10.0) -> RedisServer:
        self.stop()
        return self.start(timeout)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
