"""Real Celery beat processes for lesson tests: `celery -A <app> beat`, the scheduler that sends
periodic tasks to the broker (a worker runs them).

    with CeleryBeat("config", env={"REDIS_URL": redis_url}) as beat:   # waits for "beat: Starting..."
        beat.wait_sent("cleanup-temp-hourly", count=3)
        print(beat.sent())                                            # {"cleanup-temp-hourly": 3, ...}

- Beat's own state (when each entry last ran) is a file. By default each beat gets a fresh one in the
  run's scratch folder (`--schedule`), never `celerybeat-schedule` in the learner's lesson folder. Pass
  `schedule_file=path` to share one between a beat and its restart, or `schedule_file=FROM_SETTINGS` to
  leave it to the app's `beat_schedule_filename` (CELERY_BEAT_SCHEDULE_FILENAME).
- `stop()` is SIGTERM (beat writes its state and exits), then SIGKILL for the group after `grace`
  seconds; `kill()` is the crash: SIGKILL at once, nothing written since the last sync.
- A beat that dies while starting fails the test in one sentence (the learner's file and line when the
  error is theirs), with the log's tail.
- Under a warm check (`AWAITLINGS_WARM_SOCKET`) beat is forked from the warm server with Celery already
  imported, like `ServerProcess` servers and `CeleryWorker`s.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from . import ServerProcess, fail
from .celery import worker_log_problem
from .redis_server import die_with_parent

__all__ = ["CeleryBeat", "FROM_SETTINGS"]

FROM_SETTINGS = "from-settings"
READY = "beat: Starting..."
_SENT = re.compile(r"Scheduler: Sending due task (?P<entry>\S+) \((?P<task>[^)]+)\)")


class CeleryBeat(ServerProcess):
    """A `celery -A app beat` process. `args` are passed on (e.g. `["--max-interval", "1"]`)."""

    def __init__(
        self,
        app: str = "config",
        *,
        schedule_file: str | os.PathLike | None = None,
        loglevel: str = "INFO",
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        name: str | None = None,
        ready_timeout: float = 20.0,
    ) -> None:
        self.app = app
        self.name = name or f"beat-{os.getpid()}-{int(time.monotonic() * 1000) % 100000}"
        if schedule_file is None:
            folder = Path(os.environ.get("AWAITLINGS_SCRATCH") or tempfile.gettempdir())
            schedule_file = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=folder)) / "celerybeat-schedule"
        self.schedule_file = None if schedule_file == FROM_SETTINGS else Path(schedule_file)
        cmd = ["{python}", "-m", "celery", "-A", app, "beat", "--loglevel", loglevel]
        if self.schedule_file is not None:
            cmd += ["--schedule", str(self.schedule_file)]
        cmd += list(args)
        super().__init__(cmd, cwd=cwd, env=env, ready_timeout=ready_timeout)

    def __repr__(self) -> str:
        return f"CeleryBeat({self.name}, -A {self.app})"

    @property
    def command(self) -> str:
        return f"celery -A {self.app} beat"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- start --------------------------------------------------------------------------------------

    def start(self) -> CeleryBeat:
        if self._log:
            self._log.close()
        self._kept = ""
        if os.environ.get("AWAITLINGS_WARM_SOCKET"):
            return super().start()  # forked warm; the warm server ends it with the test run
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        return self

    def wait_ready(self) -> CeleryBeat:
        """Until beat logs "beat: Starting...": its app, settings and tasks loaded, the scheduler next."""
        deadline = time.monotonic() + self.ready_timeout
        while True:
            log = self.output()
            if READY in log:
                return self
            if self.process is None or self.process.poll() is not None:
                self.stop(grace=0)
                problem = worker_log_problem(log, self.command).replace("The Celery worker", "Celery beat")
                fail(problem or f"Celery beat (`{self.command}`) stopped while starting.\n{_tail(log)}")
            if time.monotonic() > deadline:
                self.stop(grace=0)
                fail(f"Celery beat (`{self.command}`) was not ready after {self.ready_timeout:g} s. "
                     f"Is the broker reachable?\n{_tail(log)}")
            time.sleep(0.01)

    # --- what it did --------------------------------------------------------------------------------

    def sent(self) -> Counter:
        """How many times beat sent each entry so far (from its log): {"entry name": count}."""
        return Counter(m.group("entry") for m in _SENT.finditer(self.output()))

    def wait_sent(self, entry: str, count: int = 1, timeout: float = 10.0) -> None:
        """Until beat has sent `entry` at least `count` times."""
        deadline = time.monotonic() + timeout
        while self.sent()[entry] < count:
            if time.monotonic() > deadline or not self.running:
                fail(f"Celery beat sent {entry!r} {self.sent()[entry]} time(s) within {timeout:g} s, "
                     f"expected at least {count}.\n{_tail(self.output())}")
            time.sleep(0.01)

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            time.sleep(0.02)
        fail(f"Celery beat's log never showed {pattern!r} within {timeout:g} s.\n{_tail(self.output())}")
        raise AssertionError("unreachable")

    # --- stop ---------------------------------------------------------------------------------------

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM (beat writes its schedule file and exits), then SIGKILL to the whole group if it is
        still there after `grace` seconds."""
        process = self.process
        if process is not None and process.poll() is None:
            try:
                if grace > 0:
                    process.send_signal(signal.SIGTERM)
                    try:
                        process.wait(timeout=grace)
                    except subprocess.TimeoutExpired:
                        pass
                if process.poll() is None:
                    _killpg(process.pid)
                process.wait(timeout=5)
            except ProcessLookupError:
                pass
        if process is not None:
            _killpg(process.pid)

    def kill(self) -> None:
        """Crash beat: SIGKILL at once. Its schedule file keeps only what the last sync wrote."""
        if self.process is not None:
            _killpg(self.process.pid)
            self.process.wait(timeout=5)

    def __enter__(self) -> CeleryBeat:
        if not self.running:  # `with beat.start().wait_ready():` must not start a second one
            self.start()
        try:
            return self.wait_ready()
        except BaseException:
            self.stop(grace=0)
            raise

    def output(self) -> str:
        """Everything beat logged since it was last started (kept after it stopped and the block closed).

        Read with pread, at an offset of its own: beat writes to the same open file, and a seek(0) here
        would move beat's next write back over what it wrote before."""
        if self._log:
            fd = self._log.fileno()
            self._kept = os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")
        return getattr(self, "_kept", "")

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._log:
            self.output()  # kept for reading after the block
            self._log.close()
            self._log = None

    def close(self) -> None:
        self.__exit__(None, None, None)


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _tail(log: str, lines: int = 25) -> str:
    kept = [line for line in log.splitlines() if line.strip()][-lines:]
    return "Beat's log ends with:\n    " + "\n    ".join(kept) if kept else "Beat printed nothing."
