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
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..i18n import _
from . import fail, status
from .celery import CeleryProcess, _tail, worker_log_problem

__all__ = ["CeleryBeat", "FROM_SETTINGS"]

FROM_SETTINGS = "from-settings"
READY = "beat: Starting..."
_SENT = re.compile(r"Scheduler: Sending due task (?P<entry>\S+) \((?P<task>[^)]+)\)")


class CeleryBeat(CeleryProcess):
    """A `celery -A app beat` process. `args` are passed on (e.g. `["--max-interval", "1"]`)."""

    kind = "Celery beat"

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
        name = name or f"beat-{os.getpid()}-{int(time.monotonic() * 1000) % 100000}"
        if schedule_file is None:
            folder = Path(os.environ.get("AWAITLINGS_SCRATCH") or tempfile.gettempdir())
            schedule_file = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=folder)) / "celerybeat-schedule"
        self.schedule_file = None if schedule_file == FROM_SETTINGS else Path(schedule_file)
        cmd = ["{python}", "-m", "celery", "-A", app, "beat", "--loglevel", loglevel]
        if self.schedule_file is not None:
            cmd += ["--schedule", str(self.schedule_file)]
        cmd += list(args)
        super().__init__(cmd, app=app, name=name, cwd=cwd, env=env, ready_timeout=ready_timeout)

    def __repr__(self) -> str:
        return f"CeleryBeat({self.name}, -A {self.app})"

    @property
    def command(self) -> str:
        return f"celery -A {self.app} beat"

    def wait_ready(self) -> CeleryBeat:
        """Until beat logs "beat: Starting...": its app, settings and tasks loaded, the scheduler next."""
        status(_("starting Celery beat (`{command}`)").format(command=self.command))
        deadline = time.monotonic() + self.ready_timeout
        while True:
            log = self.output()
            if READY in log:
                return self
            if self.process is None or self.process.poll() is not None:
                self.stop(grace=0)
                fail(worker_log_problem(log, self.command) or _("Celery beat (`{command}`) stopped while starting.")
                     .format(command=self.command) + f"\n{_tail(log, who='Beat')}")
            if time.monotonic() > deadline:
                self.stop(grace=0)
                fail(_("Celery beat (`{command}`) was not ready after {seconds} s. Is the broker reachable?").format(
                    command=self.command, seconds=f"{self.ready_timeout:g}") + f"\n{_tail(log, who='Beat')}")
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
                fail(_("Celery beat sent {entry} {sent} time(s) within {seconds} s, expected at least {count}.")
                     .format(entry=repr(entry), sent=self.sent()[entry], seconds=f"{timeout:g}", count=count)
                     + f"\n{_tail(self.output(), who='Beat')}")
            time.sleep(0.01)
