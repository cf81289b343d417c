"""What lesson tests run against: free ports, real server processes, Redis and a browser.

- `ServerProcess`: a real process (uvicorn, daphne) on a free loopback port serving the files under
  test; forked from the warm server when the check came from there.
- `RedisServer`: a private redis-server that a test can stop (an outage) and start again.
- `redis_url()`, `chromium_path()`: the session's Redis and browser, or `unavailable(...)`, which skips
  locally and fails under CI. fixtures.py turns them into the `redis_url` and `chromium_path` fixtures."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .core import fail, target_root

__all__ = ["free_port", "wait_for_port", "await_port", "ServerProcess", "RedisServer", "unavailable",
           "redis_binary", "need_redis_server", "find_chromium"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1", process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f} s")


async def await_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    """`wait_for_port` for async tests: polls without blocking the event loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection(host, port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.02)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f} s")


class ServerProcess:
    """A real server process on loopback, stopped (and its output kept) when the block ends.

    `cmd` may contain `{port}` and `{python}`; it runs in `cwd` (default: the target folder) with the
    target folder first on PYTHONPATH, so it serves the files under test."""

    def __init__(
        self,
        cmd: Sequence[str] | str,
        *,
        port: int | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        ready_timeout: float = 15.0,
    ) -> None:
        self.port = port or free_port()
        args = shlex.split(cmd) if isinstance(cmd, str) else list(cmd)
        self.cmd = [a.format(port=self.port, python=sys.executable) for a in args]
        self.cwd = Path(cwd or target_root())
        extra = os.pathsep.join([str(target_root()), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        self.env = {**os.environ, "PYTHONPATH": extra, "PYTHONUNBUFFERED": "1", **(env or {})}
        # Debug mode is for diagnosing the learner's code in the test process; in a server it only slows
        # everything down several times.
        if "PYTHONASYNCIODEBUG" not in (env or {}):
            self.env.pop("PYTHONASYNCIODEBUG", None)
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        import tempfile

        self._log = tempfile.TemporaryFile()
        warm_socket = os.environ.get("AWAITLINGS_WARM_SOCKET")
        if warm_socket:  # this test run came from the warm server: so can its servers (~0.3 s sooner)
            from .. import warm

            self.process = warm.spawn(warm_socket, self.cmd, self.cwd, self.env, subprocess.DEVNULL, self._log,
                                      subprocess.STDOUT)
            if self.process is not None:
                return self
        self.process = subprocess.Popen(
            self.cmd, cwd=self.cwd, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def wait_ready(self) -> ServerProcess:
        try:
            wait_for_port(self.port, self.ready_timeout, process=self.process)
        except (RuntimeError, TimeoutError) as error:
            output = self.output()
            self.stop()
            fail(f"The server `{' '.join(self.cmd[-4:])}` did not start: {error}.\n{output[-1500:]}")
        return self

    def output(self) -> str:
        if not self._log:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            import signal

            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)

    def __enter__(self) -> ServerProcess:
        return self.start().wait_ready()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._log:
            self._log.close()


# --- Redis and a browser ----------------------------------------------------------------------------


def unavailable(what: str, how: str) -> None:
    """A service the test needs is missing: skip with one line saying how to get it, but fail under CI
    (CI must provide every service; a skip there would hide a failure)."""
    import pytest

    message = f"needs {what}: {how}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI must provide every service; a skip here would hide a failure)", pytrace=False)
    pytest.skip(message)


def redis_binary() -> str | None:
    return shutil.which("redis-server")


HOW_TO_GET_REDIS = ("install it (`sudo apt-get install redis-server`, `brew install redis`) or run "
                    "`docker compose -f docker/compose.yml up -d redis` and set REDIS_URL=redis://127.0.0.1:6379/0")


class RedisServer:
    """A private redis-server on a free loopback port, no persistence (never the learner's own Redis).

    `stop()` kills it (what an outage looks like to its clients), `start()` brings it back on the same
    port, empty; `with RedisServer() as redis: redis.url`."""

    def __init__(self, port: int | None = None, *, workdir: Path | None = None) -> None:
        self.port = port or free_port()
        self.workdir = Path(workdir or os.environ.get("TMPDIR", "/tmp"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 10.0) -> RedisServer:
        binary = redis_binary()
        if not binary:
            raise FileNotFoundError("redis-server is not installed")
        if self.running:
            return self
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_for_port(self.port, timeout, process=self.process)
        return self

    def stop(self) -> None:
        """Stop at once (SIGKILL): an outage, not a polite shutdown."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        self.process = None

    def terminate(self) -> None:
        """A polite shutdown (SIGTERM), for the end of a session."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def restart(self, timeout: float = 10.0) -> RedisServer:
        self.stop()
        return self.start(timeout)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def need_redis_server() -> RedisServer:
    """A RedisServer (not started yet) a test may stop and restart. That needs the redis-server binary
    ($REDIS_URL alone won't do): without it, skip locally and fail under CI."""
    if not redis_binary():
        unavailable("redis-server on PATH to stop and restart Redis", "`sudo apt-get install redis-server`")
    return RedisServer()


def find_chromium() -> str | None:
    """Debian's chromium for Playwright (never a browser downloaded by a tool), or $AWAITLINGS_CHROMIUM."""
    return os.environ.get("AWAITLINGS_CHROMIUM") or next(
        (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)),
        shutil.which("chromium") or shutil.which("chromium-browser"),
    )
