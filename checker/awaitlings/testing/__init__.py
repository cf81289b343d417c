"""Helpers for lesson tests: load the learner's module, require a function, time concurrent code,
start real servers. Every failure is an `ExerciseProblem` whose message is shown to the learner as is,
so write it as a sentence: what was expected, what happened."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import shlex
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from ..i18n import N_, _

__all__ = [
    "ExerciseProblem",
    "fail",
    "load",
    "need",
    "Stopwatch",
    "expect_concurrent",
    "target_root",
    "lesson_root",
    "free_port",
    "wait_for_port",
    "ServerProcess",
]


class ExerciseProblem(AssertionError):
    """A failed expectation, phrased for the learner."""


def fail(message: str) -> None:
    raise ExerciseProblem(message)


def target_root() -> Path:
    """The folder holding the files under test (the learner's lesson folder, or an overlay)."""
    env = os.environ.get("AWAITLINGS_TARGET_ROOT")
    if not env:
        raise RuntimeError("awaitlings plugin is not active: run tests through `awaitlings check` or pytest")
    return Path(env)


def lesson_root() -> Path:
    """The course's own lesson folder (fixtures, servers and settings live here)."""
    return Path(os.environ["AWAITLINGS_LESSON_ROOT"])


def _display(path: str | os.PathLike) -> str:
    try:
        return str(Path(path).resolve().relative_to(target_root()))
    except (ValueError, RuntimeError):
        return str(path)


def _module_file(name: str) -> str:
    return name.replace(".", "/") + ".py"


def load(name: str) -> ModuleType:
    """Import the learner's module `name` (e.g. "ex01_gather" or "shop.views") from the target folder.

    Import problems become one clear sentence instead of a traceback."""
    if name in sys.modules:
        return sys.modules[name]
    filename = _module_file(name)
    try:
        return importlib.import_module(name)
    except SyntaxError as error:
        where = _("{file} line {line}").format(file=_display(error.filename or filename), line=error.lineno)
        sys.modules.pop(name, None)
        fail(_("{where} has a syntax error: {error}. Python could not read the file, so nothing in it ran.").format(
            where=where, error=error.msg))
    except SystemExit as error:
        sys.modules.pop(name, None)
        fail(_("{file} called sys.exit({code}) while being imported. Keep top-level code to definitions.").format(
            file=filename, code=repr(error.code)))
    except ModuleNotFoundError as error:
        sys.modules.pop(name, None)
        if error.name == name or name.startswith(f"{error.name}."):
            fail(_("Can't find {file} in {folder}. Did you rename or move it?").format(file=filename, folder=target_root()))
        fail(_("{file} imports {module}, which isn't installed or doesn't exist: {error}").format(
            file=filename, module=repr(error.name), error=error))
    except Exception as error:  # noqa: BLE001 - any import-time crash is the learner's to see
        sys.modules.pop(name, None)
        frame = _last_learner_frame(error)
        fail(_("Importing {file} raised {kind}: {error}").format(file=filename, kind=type(error).__name__, error=error)
             + frame)
    raise AssertionError("unreachable")


def _last_learner_frame(error: BaseException) -> str:
    try:
        root = str(target_root())
    except RuntimeError:
        return ""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(root)]
    if not frames:
        return ""
    frame = frames[-1]
    return " " + _("(at {file} line {line}: {code})").format(file=_display(frame.filename), line=frame.lineno,
                                                              code=(frame.line or "").strip())


_KINDS = {
    "coroutine function": (inspect.iscoroutinefunction, "async def {name}(...)"),
    "async generator": (inspect.isasyncgenfunction, N_("async def {name}(...) with `yield` in it")),
    "function": (callable, "def {name}(...)"),
    "class": (inspect.isclass, "class {name}"),
    "value": (lambda obj: True, "{name} = ..."),
}


# The kinds' names, as `need()` shows them.
_KIND_NAMES = (N_("coroutine function"), N_("async generator"), N_("function"), N_("class"), N_("value"))


def need(module: ModuleType, name: str, kind: str = "function"):
    """Return `module.name`, failing with a clear message when it is missing or of the wrong kind."""
    check, shape = _KINDS[kind]
    filename = _display(module.__file__ or _module_file(module.__name__))
    if not hasattr(module, name):
        fail(_("MISSING: {file} should define `{shape}`, but there is no `{name}` in it.").format(
            file=filename, shape=_(shape).format(name=name), name=name))
    obj = getattr(module, name)
    if not check(obj):
        actual = _("a plain `def`") if inspect.isfunction(obj) else type(obj).__name__
        fail(_("`{name}` in {file} should be `{shape}` ({kind}), but it is {actual}.").format(
            name=name, file=filename, shape=_(shape).format(name=name), kind=_(kind), actual=actual))
    return obj


class Stopwatch:
    """Measure wall time of a block: `with Stopwatch() as sw: ...` or `async with`."""

    def __init__(self) -> None:
        self.started = 0.0
        self.elapsed = 0.0

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.elapsed = time.perf_counter() - self.started

    async def __aenter__(self) -> Stopwatch:
        return self.__enter__()

    async def __aexit__(self, *exc) -> None:
        self.__exit__(*exc)


def expect_concurrent(elapsed: float, *, calls: int, each: float, what: str) -> None:
    """Fail unless `calls` waits of `each` seconds overlapped.

    The bar sits halfway between one wait and all waits in a row, so a busy machine does not make a
    concurrent answer fail and a sequential answer can never pass. Too fast is also wrong: the waits
    were then skipped, not overlapped."""
    sequential = calls * each
    bar = each + (sequential - each) / 2
    if elapsed >= bar:
        fail(_(
            "{what} ran sequentially: {calls} calls of {each} s took {elapsed} s "
            "(one after another: {sequential} s). Run concurrently they take about {each} s."
        ).format(what=what, calls=calls, each=f"{each:.2f}", elapsed=f"{elapsed:.2f}", sequential=f"{sequential:.2f}"))
    if elapsed < each * 0.8:
        fail(_(
            "{what} finished in {elapsed} s, faster than a single call ({each} s): "
            "were the calls really made and awaited?"
        ).format(what=what, elapsed=f"{elapsed:.3f}", each=f"{each:.2f}"))


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
