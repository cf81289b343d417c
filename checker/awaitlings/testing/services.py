"""What lesson tests run against: free ports, real server processes, Redis and a browser.

- `ServerProcess`: a real process (uvicorn, daphne) on a free loopback port serving the files under
  test; forked from the warm server when the check came from there.
- `RedisServer` (redis_server.py, re-exported): a private redis-server that a test can stop (an outage)
  and start again on the same port.
- `redis_url()`, `chromium_path()`: the session's Redis and browser, or `unavailable(...)`, which skips
  locally and fails under CI. fixtures.py turns them into the `redis_url` and `chromium_path` fixtures."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..i18n import N_, _
from .core import fail, status, target_root
from .ports import await_port, free_port, wait_for_port
from .redis_server import RedisServer, child_setup, redis_binary  # the one Redis spawner (re-exported here)

__all__ = ["free_port", "wait_for_port", "await_port", "log_file", "ServerProcess", "RedisServer", "unavailable",
           "redis_binary", "need_redis_server", "find_chromium"]


def log_file():
    """A temporary file for a child's output, opened for appending (O_APPEND): every write lands at the
    end, whatever offset anyone else's handle of it has."""
    import tempfile

    return tempfile.TemporaryFile(mode="a+b")


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
        # Outside a test run (a notebook, a bench) the folder it runs in is the one it serves.
        served = os.environ.get("AWAITLINGS_TARGET_ROOT") or str(self.cwd)
        extra = os.pathsep.join([served, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
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
        self._log = log_file()
        warm_socket = os.environ.get("AWAITLINGS_WARM_SOCKET")
        if warm_socket:  # this test run came from the warm server: so can its servers (~0.3 s sooner)
            from .. import warm

            self.process = warm.spawn(warm_socket, self.cmd, self.cwd, self.env, subprocess.DEVNULL, self._log,
                                      subprocess.STDOUT)
            if self.process is not None:
                return self
        # Its own session (the group can be signalled), and killed with the test process if that dies first.
        self.process = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, preexec_fn=child_setup())
        return self

    def wait_ready(self) -> ServerProcess:
        program = (self.cmd[2] if len(self.cmd) > 2 and self.cmd[1] == "-m" else self.cmd[0]).rsplit("/", 1)[-1]
        status(_("waiting for {program} on :{port}").format(program=program, port=self.port))
        try:
            wait_for_port(self.port, self.ready_timeout, process=self.process)
        except (RuntimeError, TimeoutError) as error:
            output = self.output()
            self.stop()
            fail(_("The server `{command}` did not start: {error}.").format(command=" ".join(self.cmd[-4:]), error=error)
                 + f"\n{output[-1500:]}")
        return self

    def output(self) -> str:
        """Everything the process wrote so far. Read with pread at an offset of its own: the process writes
        to the same open file, and moving the shared offset (seek) would make it overwrite its own log."""
        if not self._log:
            return ""
        fd = self._log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

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

    message = _("needs {what}: {how}").format(what=_(what), how=_(how))
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " " + _("(CI must provide every service; a skip here would hide a failure)"), pytrace=False)
    pytest.skip(message)


HOW_TO_GET_REDIS = N_("install it (`sudo apt-get install redis-server`, `brew install redis`) or run "
                       "`docker compose -f docker/compose.yml up -d redis` and set REDIS_URL=redis://127.0.0.1:6379/0")


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
