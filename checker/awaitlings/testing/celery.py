"""Real Celery workers for lesson tests: `celery -A <app> worker` processes (prefork pool) on the
run's private Redis, serving the files under test.

    with CeleryWorker("config") as worker:          # waits until the worker says it is ready
        worker.expect_registered("accounts.tasks.send_welcome_mail")
        result = send_welcome_mail.delay(user.id)
        value = wait_result(result, worker, task="send_welcome_mail")

- Ready means ready: a tiny module (`celery_ready`) included in the worker writes a file when Celery
  fires `worker_ready`, with the tasks it registered and the queues it consumes. No sleeps.
- A worker that dies while starting (the learner's tasks module raises at import, a bad setting) is
  reported in one sentence naming the learner's file and line, with the log's tail.
- Stopping is SIGTERM to the main process (a warm shutdown: running tasks finish), then SIGKILL for
  the whole process group after `grace` seconds. `kill()` is the crash: SIGKILL at once.
- Under a warm check (`AWAITLINGS_WARM_SOCKET`) the worker is forked from the warm server with Celery
  already imported, like `ServerProcess` servers.

Eager mode (`task_always_eager`) is never used: it skips the broker, serialization of results,
routing, acks, time limits and the worker process itself, so it tests none of what can go wrong."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import ServerProcess, fail, status, target_root
from ..i18n import _

__all__ = ["CeleryProcess", "CeleryWorker", "wait_result", "worker_log_problem"]

READY_ENV = "AWAITLINGS_CELERY_READY"


class CeleryProcess(ServerProcess):
    """What a worker and beat share: a `celery -A app ...` process started fresh (or forked warm), its log
    kept after it stopped, SIGTERM-then-SIGKILL stops and SIGKILL crashes. Subclasses say when it is ready."""

    kind = "Celery process"

    def __init__(self, cmd: list[str], *, app: str, name: str, cwd: Path | None, env: dict[str, str] | None,
                 ready_timeout: float) -> None:
        self.app = app
        self.name = name
        self._kept = ""
        super().__init__(cmd, cwd=cwd, env=env, ready_timeout=ready_timeout)

    @property
    def command(self) -> str:
        return f"celery -A {self.app}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self):
        if self._log:  # started again (after kill or stop): the new log replaces the old one
            self._log.close()
        self._kept = ""
        return super().start()

    def output(self) -> str:
        """Everything it logged since it was last started (kept after it stopped and the block closed)."""
        if self._log:
            self._kept = super().output()
        return self._kept

    def _children(self) -> list[int]:
        if self.process is None:
            return []
        pids = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            try:
                pids += [int(p) for p in task.read_text().split()]
            except OSError:
                pass
        return sorted(set(pids))

    def stop(self, grace: float = 5.0, *, signalled: bool = False) -> None:
        """SIGTERM to the main process (a worker's warm shutdown lets running tasks finish; beat writes its
        schedule file), then SIGKILL to the whole group if it is still there after `grace` seconds
        (`signalled`: the SIGTERM was sent already, only the wait and the SIGKILL are left)."""
        process = self.process
        children = self._children()  # now, while the main process can still tell
        if process is not None and process.poll() is None:
            try:
                if grace > 0:
                    if not signalled:
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
            _killpg(process.pid)  # children a killed main process left behind
            _wait_gone(children)

    def kill(self) -> None:
        """The crash: SIGKILL for the main process and its children at once (no shutdown, no acks, no sync)."""
        if self.process is not None:
            children = self._children()
            _killpg(self.process.pid)
            self.process.wait(timeout=5)
            _wait_gone(children)

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            time.sleep(0.02)
        fail(_("The {kind}'s log never showed {pattern} within {seconds} s.").format(
            kind=self.kind, pattern=repr(pattern), seconds=f"{timeout:g}") + f"\n{_tail(self.output(), who=self.kind)}")
        raise AssertionError("unreachable")

    def __enter__(self):
        if not self.running:  # `with process.start().wait_ready():` must not start a second one
            self.start()
        try:
            return self.wait_ready()
        except BaseException:
            self.stop(grace=0)
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._log:
            self.output()  # kept for reading after the block
            self._log.close()
            self._log = None

    def close(self) -> None:
        self.__exit__(None, None, None)


class CeleryWorker(CeleryProcess):
    """A `celery -A app worker` process. `queues` limits what it consumes (`-Q`); `concurrency` is the
    number of prefork pool processes; `args` are passed on (e.g. `["--max-tasks-per-child", "1"]`)."""

    kind = "Celery worker"

    def __init__(
        self,
        app: str = "config",
        *,
        queues: Sequence[str] | None = None,
        concurrency: int = 1,
        name: str | None = None,
        pool: str = "prefork",
        loglevel: str = "INFO",
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        ready_timeout: float = 20.0,
    ) -> None:
        name = name or f"w{os.getpid()}-{int(time.monotonic() * 1000) % 100000}"
        args, includes = _split_includes(args)
        self._state_dir = Path(tempfile.mkdtemp(prefix="awaitlings-worker-"))
        self.ready_file = self._state_dir / "ready.json"
        cmd = ["{python}", "-m", "celery", "-A", app, "worker",
               "--include", ",".join(["awaitlings.testing.celery_ready", *includes]),
               "--pool", pool, "--concurrency", str(concurrency), "--loglevel", loglevel,
               # Mingle and gossip talk to other workers (mingle waits for their replies at start-up);
               # a test's worker is alone on its private broker.
               "--without-mingle", "--without-gossip", "--without-heartbeat",
               "--hostname", f"{name}@%h"]
        if queues:
            cmd += ["--queues", ",".join(queues)]
        cmd += list(args)
        super().__init__(cmd, app=app, name=name, cwd=cwd, env={READY_ENV: str(self.ready_file), **(env or {})},
                         ready_timeout=ready_timeout)
        self.queues = list(queues or [])
        self.info: dict = {}

    def __repr__(self) -> str:
        return f"CeleryWorker({self.name}, -A {self.app}{' -Q ' + ','.join(self.queues) if self.queues else ''})"

    @property
    def command(self) -> str:
        return f"celery -A {self.app} worker" + (f" -Q {','.join(self.queues)}" if self.queues else "")

    def start(self) -> CeleryWorker:
        self.ready_file.unlink(missing_ok=True)
        self.info = {}
        status(_("starting a Celery worker (`{command}`)").format(command=self.command))
        return super().start()

    def wait_ready(self) -> CeleryWorker:
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self.ready_file.exists():
                try:
                    self.info = json.loads(self.ready_file.read_text(encoding="utf-8"))
                    return self
                except ValueError:
                    pass  # written by os.replace, so only a partial read on odd file systems
            if self.process is None or self.process.poll() is not None:
                log = self.output()
                self.stop(grace=0)
                fail(worker_log_problem(log, self.command) or
                     _("The Celery worker (`{command}`) stopped while starting.").format(command=self.command)
                     + f"\n{_tail(log)}")
            if time.monotonic() > deadline:
                log = self.output()
                self.stop(grace=0)
                fail(_("The Celery worker (`{command}`) was not ready after {seconds} s. Is the broker reachable?")
                     .format(command=self.command, seconds=f"{self.ready_timeout:g}") + f"\n{_tail(log)}")
            time.sleep(0.01)

    @property
    def registered(self) -> list[str]:
        return list(self.info.get("tasks", []))

    @property
    def consuming(self) -> list[str]:
        return list(self.info.get("queues", []))

    def expect_registered(self, *names: str) -> None:
        """Fail, naming the task, when the worker does not know it: a task it doesn't know is received,
        logged as "unregistered" and dropped, and the caller would wait for a result forever."""
        known = set(self.registered)
        for name in names:
            if name in known:
                continue
            similar = [t for t in known if t.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1]]
            if similar:
                fail(_("The worker registered the task as {registered}, but it is sent as {name}. "
                       "Task names come from the module they live in: keep it in the app's tasks.py.").format(
                    registered=repr(similar[0]), name=repr(name)))
            fail(_("The Celery worker started, but it doesn't know the task {name} "
                   "(it knows: {known}). Is the function decorated "
                   "with `@shared_task`, in a `tasks.py` of an installed app, and does config/celery.py call "
                   "`app.autodiscover_tasks()`?").format(name=repr(name),
                                                         known=", ".join(sorted(known)) or _("no tasks at all")))

    def pool_pids(self) -> list[int]:
        """The pool's processes (the children of the main worker process) that run the tasks."""
        return self._children()

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        shutil.rmtree(self._state_dir, ignore_errors=True)


def _split_includes(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """`--include` given twice keeps only the last: merge the caller's with the ready hook's."""
    rest, includes, items = [], [], list(args)
    while items:
        arg = items.pop(0)
        if arg in ("--include", "-I") and items:
            includes += items.pop(0).split(",")
        elif arg.startswith("--include="):
            includes += arg.split("=", 1)[1].split(",")
        else:
            rest.append(arg)
    return rest, includes


def _wait_gone(pids: list[int], timeout: float = 3.0) -> None:
    """Pool processes are the worker's children, not ours: wait until the kernel has really ended them."""
    deadline = time.monotonic() + timeout
    while pids and time.monotonic() < deadline:
        pids = [pid for pid in pids if _running(pid)]
        if pids:
            time.sleep(0.005)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_NOISE = re.compile(r"^\s*($|[-.*]|\[queues\]|\[tasks\]|absolutely not|Please specify|User information|"
                    r"_warn_or_raise|.*SecurityWarning)")


def _tail(log: str, lines: int = 8, who: str = "The worker") -> str:
    """The end of a Celery log without its start-up banner and the running-as-root warning."""
    kept = [line for line in log.splitlines() if not _NOISE.match(line)][-lines:]
    return f"{who}'s log ends with:\n    " + "\n    ".join(kept) if kept else f"{who} printed nothing."


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def worker_log_problem(log: str, command: str = "celery worker") -> str:
    """One sentence for a worker that died while starting: the learner's file and line, and the error."""
    try:
        root = str(target_root())
    except RuntimeError:
        root = ""
    frames = [m for m in _FRAME.finditer(log) if root and m.group("file").startswith(root)
              and "/site-packages/" not in m.group("file")]
    error_lines = [line.strip() for line in log.splitlines()
                   if re.match(r"\s*[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*", line)
                   and not line.lstrip().startswith(("File ", "["))]
    if not error_lines:
        unregistered = re.search(r"Received unregistered task of type '([^']+)'", log)
        if unregistered:
            return _("The worker received the task {name} but doesn't know it, so it dropped it. "
                     "Is it decorated with `@shared_task` and found by `app.autodiscover_tasks()`?").format(
                name=repr(unregistered.group(1)))
        return ""
    error = error_lines[-1]
    where = ""
    if frames:
        last = frames[-1]
        rel = os.path.relpath(last.group("file"), root)
        code = _source_line(last.group("file"), int(last.group("line")))
        where = " " + _("at {file} line {line}").format(file=rel, line=last.group("line")) + (
            f": `{code}`" if code else "")
        return _("`{command}` could not start: {error}").format(command=command, error=error) + f"{where}."
    return _("`{command}` could not start: {error}").format(command=command, error=error) + f".\n{_tail(log)}"


def _source_line(path: str, number: int) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()[number - 1].strip()
    except (OSError, IndexError, UnicodeDecodeError):
        return ""


def wait_result(result, worker: CeleryWorker | Iterable[CeleryWorker] | None = None, *, timeout: float = 5.0,
                task: str | None = None, propagate: bool = True):
    """`result.get(timeout)` with a message that names the task and shows the worker's log when the
    result never comes (a task that blocks, a worker that doesn't know it, a queue nobody consumes)."""
    from celery.exceptions import TimeoutError as CeleryTimeout

    name = task or getattr(result, "name", None) or "the task"
    try:
        return result.get(timeout=timeout, propagate=propagate, disable_sync_subtasks=False)
    except CeleryTimeout:
        workers = [worker] if isinstance(worker, CeleryWorker) else list(worker or [])
        problem = next((p for w in workers if (p := worker_log_problem(w.output(), w.command))), "")
        received = [w for w in workers if f"[{result.id}] received" in w.output()]
        if problem:
            why = problem
        elif received:
            why = _("The worker {name} received it and is still running it: does it block, or wait "
                    "for something that never comes?").format(name=received[0].name)
        elif workers:
            why = _("No worker received it: is it sent to a queue no worker consumes, or did the worker stop "
                    "taking tasks?")
        else:
            why = _("Is a worker running?")
        logs = "".join(f"\n[{w.name}] {_tail(w.output(), 6)}" for w in workers)
        fail(_("{name} did not finish within {seconds} s (state: {state}).").format(
            name=name, seconds=f"{timeout:g}", state=result.state) + f" {why}{logs}")
    raise AssertionError("unreachable")



def worker_env(redis_url: str, django_db: bool = False) -> dict[str, str]:
    """What a test's worker needs to see the same world as the test: the run's Redis, and (for a
    Django lesson under pytest-django) the test database, as DATABASE_URL.

    CELERY_BROKER_URL and CELERY_RESULT_BACKEND in the environment beat any setting (Celery reads them
    first), so a worker started by a test can never reach anyone else's broker, whatever the learner's
    settings say. The test process itself keeps the learner's settings: tests check those directly."""
    env = {"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url}
    if django_db and os.environ.get("DJANGO_SETTINGS_MODULE"):
        from django.db import connection

        test_settings = dict(connection.settings_dict)
        test_settings["NAME"] = connection.creation._get_test_db_name()  # noqa: SLF001 - what pytest-django creates
        env["DATABASE_URL"] = database_url(test_settings)
    return env


def django_db_active(request_or_config) -> bool:
    """Is pytest-django running (so a test database exists for the worker to share)? Takes a fixture's
    `request` or a pytest config."""
    config = getattr(request_or_config, "config", request_or_config)
    return bool(os.environ.get("DJANGO_SETTINGS_MODULE")) and any(
        config.pluginmanager.hasplugin(name) for name in ("django", "pytest_django.plugin"))


def database_url(settings: dict) -> str:
    """A Django database as a URL (what dj-database-url reads back in the worker's settings)."""
    engine = settings["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        name = str(settings["NAME"])
        if name.startswith("file:") or name == ":memory:":
            fail(_("The test database is SQLite in memory, which a worker process can't see. Give it a file: "
                   "DATABASES['default']['TEST'] = {{'NAME': ...}} (see the lesson's settings.py).").format())
        return f"sqlite:///{name}"
    from urllib.parse import quote

    user = quote(settings.get("USER") or "")
    password = quote(settings.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if user else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    scheme = {"postgresql": "postgres", "mysql": "mysql"}.get(engine, engine)
    return f"{scheme}://{auth}{host}{port}/{settings['NAME']}"


class WorkerPool:
    """The `celery_workers` fixture: start workers for one test (`.start(queues=[...])`), all stopped after it."""

    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.app = app
        self.env = env
        self.workers: list[CeleryWorker] = []

    def start(self, *, wait: bool = True, **options) -> CeleryWorker:
        """A worker with CeleryWorker's options. `env={"REDIS_URL": ...}` moves its broker and results too.
        With `wait=False` it boots while you start others; `wait_ready()` each (or use `start_many`)."""
        extra = options.pop("env", {})
        env = {**self.env, **extra}
        if "REDIS_URL" in extra:  # another Redis (or database): its broker and results follow it
            for key in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
                env[key] = extra.get(key, extra["REDIS_URL"])
        worker = CeleryWorker(options.pop("app", self.app), env=env, **options)
        self.workers.append(worker)
        worker.start()
        if wait:
            try:
                worker.wait_ready()
            except BaseException:
                worker.stop(grace=0)
                raise
        return worker

    def start_many(self, *configs: dict) -> list[CeleryWorker]:
        """Several workers booting at once (each dict: CeleryWorker's options), returned once all are ready."""
        workers = [self.start(wait=False, **dict(config)) for config in configs]
        for worker in workers:
            worker.wait_ready()
        return workers

    def stop_all(self, grace: float = 0.2) -> None:
        """After the test: its results were awaited, so only a short grace (a test that wants a full warm
        shutdown calls `worker.stop(grace=...)` itself). All get SIGTERM at once, then SIGKILL."""
        for worker in self.workers:
            if worker.process is not None and worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for worker in self.workers:
            worker.stop(grace=max(0.0, deadline - time.monotonic()), signalled=True)
            worker.close()


class TaskPublishes:
    """The `published_tasks` fixture: every task message this test process sent, in order, each with its
    id and whether a database transaction was open at that moment (a task sent inside a transaction can
    run before the commit)."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def __call__(self, sender=None, headers=None, **_) -> None:
        self.sent.append({"task": sender, "id": (headers or {}).get("id"), "in_transaction": _in_transaction()})

    @property
    def names(self) -> list[str]:
        return [p["task"] for p in self.sent]

    def of(self, task: str) -> list[dict]:
        return [p for p in self.sent if p["task"] == task]


def _in_transaction() -> bool:
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return False
    try:
        from django.db import connection

        return connection.in_atomic_block
    except Exception:  # noqa: BLE001 - Django not set up: no transaction to speak of
        return False
