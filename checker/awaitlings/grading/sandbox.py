"""Run one (submission, lesson) in its own process tree with limits: the `launch` that run_lesson uses.

Modes, best first; `auto` picks the best this machine allows and says what is missing:
- root: `unshare --pid --fork --kill-child --mount --mount-proc --net --ipc`, then jail.py hides the
  instructor's files, makes the staged course read-only, mounts a private tmpfs HOME, brings up
  loopback only, sets rlimits and drops to a per-slot uid (so the process limit really is per job);
- user: the same inside an unprivileged user namespace (no uid change: the process limit counts in
  that namespace only, read-only comes from the bind mount);
- none: no namespaces (no network isolation, same uid as the grader): rlimits, a scratch HOME,
  read-only file modes, the guard's audit hook and a check of the staged files after the run.

Every pytest process gets a fresh report key and pipe (integrity.Relay), and the job has a wall-clock
deadline: past it the process group is killed and no further attempt starts."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import protocol
from .integrity import Relay, new_key

JAIL = Path(__file__).with_name("jail.py")
ROOT, USER, NONE = "root", "user", "none"
MODES = (ROOT, USER, NONE)
UNSHARE = ["--pid", "--fork", "--kill-child", "--mount", "--mount-proc", "--net", "--ipc"]
ENV_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "VIRTUAL_ENV", "AWAITLINGS_ROOT",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTHONUNBUFFERED", "DJANGO_SETTINGS_MODULE")
# (The run spec, protocol.ENV, is rewritten by JobSandbox: the report goes through a signed pipe.)


@dataclass(frozen=True)
class Limits:
    """Per (submission, lesson). Memory is writable memory per process (RLIMIT_DATA: heap, anonymous
    mappings, thread stacks), not address space, which browsers and V8 reserve by terabytes."""

    wall: float = 300.0  # seconds for the whole lesson run, restarts included
    memory_mb: int = 3072
    processes: int = 256  # processes and threads (RLIMIT_NPROC, per slot uid)
    open_files: int = 512
    file_size_mb: int = 64
    scratch_mb: int = 128  # the tmpfs HOME/TMPDIR
    cpu: int = 300  # CPU seconds per process

    def rlimits(self) -> dict[str, int]:
        return {"data": self.memory_mb << 20, "nproc": self.processes, "nofile": self.open_files,
                "fsize": self.file_size_mb << 20, "cpu": self.cpu, "core": 0}

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SandboxInfo:
    mode: str
    warnings: tuple[str, ...] = ()


_probe_lock = threading.Lock()
_probed: dict[str, SandboxInfo] = {}


def _works(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def detect(requested: str = "auto") -> SandboxInfo:
    """The sandbox this machine allows (probed once per process)."""
    with _probe_lock:
        if requested in _probed:
            return _probed[requested]
        unshare = shutil.which("unshare")
        true = shutil.which("true") or "/bin/true"
        can_root = bool(unshare) and os.geteuid() == 0 and _works([unshare, *UNSHARE, true])
        # Not for real root: root of a user namespace that maps uid 0 may override permissions on every
        # root-owned file it can see.
        can_user = bool(unshare) and os.geteuid() != 0 and _works([unshare, "--user", "--map-root-user", *UNSHARE,
                                                                    true])
        warnings = []
        if requested in (ROOT, "auto") and can_root:
            mode = ROOT
        elif requested in (ROOT, USER, "auto") and can_user:
            mode = USER
            if requested == ROOT:
                warnings.append("root sandbox unavailable: using an unprivileged user namespace")
            warnings.append("user-namespace sandbox: submissions run as your own uid mapped to root of a namespace; "
                            "no per-job uid, so the process limit counts inside the namespace only")
        else:
            mode = NONE
            if requested == NONE:
                warnings.append("sandbox off (--sandbox none): no network isolation, no pid namespace; "
                                "rlimits, read-only file modes and the audit hook only")
            else:
                warnings.append("no sandbox available (needs root, or unprivileged user namespaces, and "
                                "util-linux `unshare`): submissions run WITHOUT network isolation, with your uid, "
                                "limited only by rlimits, read-only file modes and an audit hook. "
                                "Grade untrusted code as root or in a container.")
        info = SandboxInfo(mode, tuple(warnings))
        _probed[requested] = info
        return info


# --- slots: a uid per concurrently running job, on this machine ---------------------------------------


class Slots:
    """File locks in a shared folder give each running job a distinct slot number (and uid), across
    threads, processes (Celery workers) and concurrent `awaitlings grade` runs on one machine."""

    def __init__(self, folder: Path | None = None, count: int = 64) -> None:
        self.folder = folder or Path(tempfile.gettempdir()) / f"awaitlings-slots-{os.geteuid()}"
        self.folder.mkdir(mode=0o700, exist_ok=True)
        self.count = count

    def acquire(self) -> tuple[int, int]:
        """(slot number, locked fd); blocks until a slot is free."""
        while True:
            for slot in range(self.count):
                fd = os.open(self.folder / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return slot, fd
                except BlockingIOError:
                    os.close(fd)
            time.sleep(0.05)

    @staticmethod
    def release(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


# --- one sandboxed pytest process ----------------------------------------------------------------------


class SandboxedProcess:
    """Popen's face for run_lesson: done when the process has exited *and* the relay has passed on
    every verified line (so the runner's last read sees them)."""

    RELAY_GRACE = 2.0

    def __init__(self, popen: subprocess.Popen, relay: Relay, timer: threading.Timer | None) -> None:
        self.popen = popen
        self.relay = relay
        self.timer = timer
        self.pid = popen.pid
        self._exited_at: float | None = None

    @property
    def returncode(self):
        return self.popen.returncode

    def _finish(self) -> None:
        if self.timer:
            self.timer.cancel()

    def poll(self):
        code = self.popen.poll()
        if code is None:
            return None
        self._finish()
        if self._exited_at is None:
            self._exited_at = time.monotonic()
        if self.relay.is_alive() and time.monotonic() - self._exited_at < self.RELAY_GRACE:
            return None  # a few more lines may be on their way
        return code

    def wait(self, timeout: float | None = None):
        code = self.popen.wait(timeout)
        self._finish()
        self.relay.join(self.RELAY_GRACE)
        return code


class _Exited:
    """What `launch` returns once the job's wall-clock budget is spent: a process that already ended."""

    def __init__(self) -> None:
        self.popen = subprocess.Popen([shutil.which("true") or "/bin/true"])
        self.popen.wait()
        self.pid = self.popen.pid
        self.returncode = -signal.SIGKILL

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        return self.returncode


@dataclass
class JobSandbox:
    """The `launch` callable for one job: every pytest attempt of the job goes through it."""

    mode: str
    workdir: Path  # the job folder: course/ (staged, read-only) and home/
    limits: Limits
    uid: int | None = None
    gid: int | None = None
    hide: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)  # replaced by an empty private tmpfs (/tmp, /dev/shm)
    expose: list[tuple[str, str]] = field(default_factory=list)  # (needed, blocked ancestor): see jail.expose
    guard: str = "grade"
    deadline: float = 0.0  # time.monotonic() value; 0 = none
    # What happened, for the job's flags:
    events: list[dict] = field(default_factory=list)
    attempts: int = 0
    rejected_lines: int = 0
    rejected_samples: list[str] = field(default_factory=list)
    wall_expired: bool = False
    problems: list[str] = field(default_factory=list)
    zygote: object = None  # a zygote.Zygote: fork warm pytest processes instead of starting new ones

    @property
    def home(self) -> Path:
        return self.workdir / "home"

    def spec(self) -> dict:
        namespaced = self.mode in (ROOT, USER)
        return {
            "namespaced": namespaced,
            "hide": self.hide if namespaced else [],
            "fresh": self.fresh if namespaced else [],
            "expose": self.expose if self.mode == ROOT else [],
            "staging": str(self.workdir / "expose"),
            "read_only": [str(self.workdir / "course")] if namespaced else [],
            "home": str(self.home) if namespaced else "",
            "scratch_mb": self.limits.scratch_mb,
            "uid": self.uid,
            "gid": self.gid,
            "limits": self.limits.rlimits(),
            "loopback": True,
        }

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        """A clean environment: nothing of the instructor's (tokens, REDIS_URL, ...) reaches the code."""
        clean = {key: env[key] for key in ENV_KEEP if key in env}
        clean.update({
            "HOME": str(self.home), "TMPDIR": str(self.home / "tmp"), "USER": "learner", "LOGNAME": "learner",
            "MALLOC_ARENA_MAX": "2",  # fewer glibc arenas: threads don't eat the memory limit
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "NO_COLOR": "1",
        })
        return clean

    def guard_mode(self) -> str:
        return self.guard + (",block-kill" if self.mode == NONE else ",namespaced")

    def expired(self) -> bool:
        return bool(self.deadline) and time.monotonic() >= self.deadline

    def _kill(self, popen: subprocess.Popen) -> None:
        if popen.poll() is None:
            self.wall_expired = True
            try:
                os.killpg(popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def __call__(self, cmd: list[str], *, cwd, env, stdout, stderr, stdin, start_new_session=True, **_):
        if self.expired():
            self.wall_expired = True
            return _Exited()
        self.attempts += 1
        spec = protocol.RunSpec.from_json(env[protocol.ENV])
        report = Path(spec.report)  # the runner reads this file; the relay fills it with verified lines only
        key = new_key()
        key_read, key_write = os.pipe()
        os.write(key_write, key)
        os.close(key_write)
        report_read, report_write = os.pipe()
        child_env = self.environment(env)
        # The grader's scratch folder is out of the sandbox's reach: the run makes its own in its TMPDIR.
        child_env[protocol.ENV] = spec.replace(report="", report_fd=report_write, key_fd=key_read,
                                               guard=self.guard_mode(), scratch="").to_json()
        assert cmd[1:3] == ["-m", "pytest"], cmd
        args = ["-p", "awaitlings.grading.guard", *cmd[3:]]
        relay = Relay(key, report_read, report, on_event=self.events.append)
        try:
            popen = self._start(args, cmd[0], cwd, child_env, stdout, stderr, stdin, key_read, report_write)
        except BaseException:
            os.close(report_read)
            raise
        finally:
            os.close(key_read)
            os.close(report_write)
        relay.start()
        timer = None
        if self.deadline:
            timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._kill, (popen,))
            timer.daemon = True
            timer.start()
        self._relays.append(relay)
        return SandboxedProcess(popen, relay, timer)

    def _start(self, args, python, cwd, env, stdout, stderr, stdin, key_read, report_write):
        if self.zygote is not None and self.mode in (ROOT, NONE) and self.zygote.alive:
            from .zygote import ZygoteError, ZygoteProcess

            try:
                pid = self.zygote.spawn(args, str(cwd), env, self.spec(), self.mode == ROOT,
                                        [stdout.fileno(), report_write, key_read])
                return ZygoteProcess(self.zygote, pid)
            except (ZygoteError, OSError) as error:
                self.problems.append(f"zygote: {error}; starting a fresh interpreter instead")
        prefix = []
        if self.mode == ROOT:
            prefix = [shutil.which("unshare") or "unshare", *UNSHARE, "--"]
        elif self.mode == USER:
            prefix = [shutil.which("unshare") or "unshare", "--user", "--map-root-user", *UNSHARE, "--"]
        inner = [python, str(JAIL), json.dumps(self.spec()), "--", "-m", "pytest", *args]
        return subprocess.Popen(prefix + inner, cwd=cwd, env=env, stdout=stdout, stderr=stderr, stdin=stdin,
                                start_new_session=True, pass_fds=(key_read, report_write))

    def __post_init__(self) -> None:
        self._relays: list[Relay] = []

    def finish(self) -> None:
        """After the last attempt: wait for the relays, then count what they rejected."""
        for relay in self._relays:
            relay.join(SandboxedProcess.RELAY_GRACE)
            self.rejected_lines += relay.rejected
            self.rejected_samples.extend(relay.samples[: max(0, 3 - len(self.rejected_samples))])
