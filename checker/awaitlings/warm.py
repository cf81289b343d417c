"""A warm Python for learner checks.

Starting `python -m pytest` and importing pytest, Django, Channels, httpx and the checker costs about
0.5 s before the first test runs, on every check. So the first `awaitlings check` also starts a small
background server that imports all of that once and then forks one child per pytest run (and per
server a test starts with `ServerProcess`), each child reaching its first test in about 0.1 s.

    awaitlings check --(unix socket: JSON + stdin/stdout/stderr fds)--> warm server (never runs tests)
                                                                            └─ fork ─ child: setsid,
                                                                               the request's env, cwd,
                                                                               sys.path, argv → python -m

Preloading, forking and reaping are awaitlings.forkserver's (shared with batch grading's zygote); this
module adds the socket protocol, the request checks and the child's set-up.

The `awaitlings` command itself (entry.py) hands a `check` over the same way, so the CLI runs in a child
too and asks the server for its pytest processes in turn.

- Nothing of the learner's is imported before the fork: every child imports the files under test afresh.
- A child lives exactly as long as the connection that asked for it: if the check is stopped (Ctrl-C, a
  time limit), the server kills the child's process group.
- The socket lives in a private folder (mode 0700) and the server only answers its own user.
- The server is keyed by the course folder, the interpreter, the installed packages and the checker's own
  files: after `pip install` or a checker change the next check starts a fresh one. It exits after
  `AWAITLINGS_WARM_IDLE` seconds (default 900) without a run, or on `awaitlings warm stop`.
- `AWAITLINGS_WARM=0` turns it off; so does `CI`. Where anything fails, the check starts pytest the
  ordinary way, so a warm server can make a check faster but never change its result.

Linux only: elsewhere (and where fork is unsafe, macOS) checks always start a fresh interpreter."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .forkserver import MAX_MESSAGE, ForkServer, adopt_environment, reset_signals

IDLE_SECONDS = 900.0
# Read by the interpreter when it starts, so a forked child can't take a different value from a request:
# the server only runs requests whose values equal its own. (PYTHONPATH, PYTHONUNBUFFERED and
# PYTHONDONTWRITEBYTECODE are applied in the child; the others are read while the program runs.)
APPLIED_IN_CHILD = {"PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONASYNCIODEBUG",
                    "PYTHONBREAKPOINT"}
SOCKET_ENV = "AWAITLINGS_WARM_SOCKET"
# What `awaitlings check` itself imports (entry.py runs it here too); not awaitlings.cli, which runs
# as __main__ in the child and must not be imported twice.
CLI_MODULES = ("argparse", "awaitlings.ui", "awaitlings.course", "awaitlings.lessonfile", "awaitlings.progress", "awaitlings.runner",
               "awaitlings.targets", "concurrent.futures.thread")


def enabled() -> bool:
    if not sys.platform.startswith("linux") or not hasattr(socket, "SOCK_SEQPACKET"):
        return False
    setting = os.environ.get("AWAITLINGS_WARM", "").strip().lower()
    if setting in ("0", "off", "no", "false"):
        return False
    if setting in ("1", "on", "yes", "true"):
        return True
    return not os.environ.get("CI")  # CI runs check once per fresh folder: nothing to keep warm


def _startup_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("PYTHON") and k not in APPLIED_IN_CHILD}


def _private_dir() -> Path:
    folder = next(Path(base) / f"awaitlings-{os.getuid()}"
                  for base in (os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir(), "/tmp")
                  if base and len(base) < 50)  # a socket's path holds at most 107 bytes
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{folder} is not a private folder of this user")
    return folder


def _root_key(root: Path) -> str:
    return hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:10]


def fingerprint(root: Path) -> str:
    """What a warm server's imports depend on: a change to any of it needs a fresh server."""
    digest = hashlib.sha256()
    digest.update(f"{sys.executable}\0{sys.version}\0{Path(root).resolve()}\0".encode())
    digest.update(json.dumps(sorted(_startup_env(dict(os.environ)).items())).encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        digest.update(f"{path}\0{info.st_mtime_ns}\0{info.st_size}\0".encode())
    import importlib.util

    spec = importlib.util.find_spec("pytest")  # found, not imported: its folder is where pip installs the rest
    site = Path(spec.origin if spec and spec.origin else sys.prefix).resolve().parent.parent
    digest.update(f"{site}\0{site.stat().st_mtime_ns}\0".encode())  # pip install/uninstall touches it
    return digest.hexdigest()[:12]


def socket_path(root: Path) -> Path:
    """warm-<course>-<everything else>.sock: a new fingerprint for a course replaces the old server."""
    return _private_dir() / f"warm-{_root_key(root)}-{fingerprint(root)}.sock"


# --- the server --------------------------------------------------------------------------------------


def _send(conn: socket.socket, message: dict) -> None:
    with contextlib.suppress(OSError):
        conn.send(json.dumps(message).encode())


def _runnable(request: dict) -> str:
    """Why this request can't be forked from here ("" when it can)."""
    args = request.get("args")
    if not (isinstance(args, list) and len(args) >= 3 and all(isinstance(a, str) for a in args)):
        return "not a command"
    if os.path.abspath(args[0]) != sys.executable or args[1] != "-m":
        return "only `python -m MODULE ...` of this interpreter runs warm"
    env = request.get("env")
    if not isinstance(env, dict) or not os.path.isdir(str(request.get("cwd", ""))):
        return "no environment or working folder"
    if _startup_env(env) != _startup_env(dict(os.environ)):
        return "PYTHON* start-up settings differ from the warm server's"
    return ""


def _child(request: dict, fds: list[int], base_path: list[str]) -> None:
    """In the forked child: become `python -m MODULE ARGS` as the request describes. Never returns."""
    code: object = 1
    try:
        os.setsid()
        reset_signals()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
        os.closerange(3, 65536)  # the listening socket, other clients, their fds: none of the child's business
        env = request["env"]
        adopt_environment(env)
        os.chdir(request["cwd"])
        extra = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:] = [os.getcwd(), *extra, *base_path]  # as `python -m` builds it
        sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        unbuffered = bool(env.get("PYTHONUNBUFFERED"))
        sys.stdout.reconfigure(line_buffering=sys.stdout.isatty(), write_through=unbuffered)
        sys.stderr.reconfigure(line_buffering=True, write_through=unbuffered)  # as at start-up
        import random

        random.seed()  # (also done at fork) each child draws its own random test data
        import runpy

        sys.argv = ["-m", *request["args"][3:]]
        try:
            runpy.run_module(request["args"][2], run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as done:
            code = done.code
        except KeyboardInterrupt:
            code = 130
        with contextlib.suppress(Exception):
            import atexit

            atexit._run_exitfuncs()  # noqa: SLF001 - what interpreter exit would do
    except BaseException:  # noqa: BLE001
        with contextlib.suppress(Exception):
            import traceback

            traceback.print_exc()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        with contextlib.suppress(Exception):
            print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(int(code) & 0xFF)


def _read_lesson_files() -> None:
    """Every lesson.toml, read once here (the server runs in the course's root): each check forked from
    this process finds them read (lessonfile keeps them, and reads again any file that has changed)."""
    with contextlib.suppress(Exception):
        from .course import Course

        Course(Path.cwd()).lessons  # noqa: B018 - read for its side effect


def serve(path: Path, idle: float) -> None:
    lock = open(f"{path}.lock", "w")  # noqa: SIM115 - held for the server's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another server for this key is starting or running
    server = ForkServer()
    server.prepare(CLI_MODULES)
    _read_lesson_files()
    if not server.single_threaded():
        return  # a preloaded module started a thread: forking would be unsafe
    base_path = [p for p in sys.path[1:] if p]
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    old_umask = os.umask(0o077)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_umask)
    listener.listen(32)
    ours = os.stat(path).st_ino
    stopping = []
    retiring = []  # a newer server serves this course: finish what runs, take nothing new, then end
    server.install_wakeup()
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    server.watch(listener)
    children: dict[int, socket.socket | None] = {}  # pid -> the connection that asked for it
    owner: dict[socket.socket, int] = {}
    detached: dict[int, tuple[float, str]] = {}  # pid -> (kill its group at this monotonic time, folder to remove)
    started, runs = time.time(), 0
    last = time.monotonic()

    def release_socket() -> None:
        """Remove this server's socket and lock file, unless a newer server's are there now."""
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == ours:
                path.unlink()
                os.unlink(f"{path}.lock")

    def forget(conn: socket.socket) -> None:
        server.unwatch(conn)
        pid = owner.pop(conn, None)
        if pid is not None and children.get(pid) is conn:
            children[pid] = None
            for kill in (os.killpg, os.kill):  # its caller is gone: so is it
                with contextlib.suppress(OSError):
                    kill(pid, signal.SIGKILL)
        conn.close()

    try:
        while not stopping:
            for key in server.select(timeout=1 if detached else 5):
                if key.fileobj is listener:
                    with contextlib.suppress(OSError):
                        conn, _ = listener.accept()
                        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
                        if int.from_bytes(creds[4:8], sys.byteorder) != os.getuid():
                            conn.close()
                            continue
                        server.watch(conn)
                elif server.is_wake(key):
                    for pid, code in server.reaped():
                        if pid in detached:
                            shutil.rmtree(detached.pop(pid)[1], ignore_errors=True)
                        conn = children.pop(pid, None)
                        if conn is not None:
                            _send(conn, {"exit": code})
                            owner.pop(conn, None)
                            forget(conn)
                        last = time.monotonic()
                else:
                    conn = key.fileobj
                    try:
                        data, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 3)
                    except OSError:
                        data, fds = b"", []
                    if not data:
                        forget(conn)
                        continue
                    try:
                        request = json.loads(data)
                    except ValueError:
                        request = {}
                    if request.get("stop"):
                        _send(conn, {"stopping": True})
                        stopping.append(True)
                        forget(conn)
                        continue
                    if request.get("retire"):
                        if not retiring:  # the socket goes first: once the caller has its answer, no check comes here
                            retiring.append(True)
                            release_socket()
                            server.unwatch(listener)
                            listener.close()
                        _send(conn, {"retiring": True})
                        forget(conn)
                        continue
                    if "detach" in request and conn in owner:
                        # The caller has its answer: the child's clean-up goes on without it, timed.
                        pid = owner.pop(conn)
                        children[pid] = None
                        folder = str(request.get("folder") or "")
                        if not Path(folder).name.startswith("awaitlings-run-"):
                            folder = ""  # only a run's own temporary folder is ever removed
                        seconds = min(float(request["detach"]), 300.0)
                        detached[pid] = (time.monotonic() + seconds, folder if folder else "")
                        _send(conn, {"detached": True})
                        continue
                    if request.get("status"):
                        _send(conn, {"pid": os.getpid(), "started": started, "runs": runs,
                                     "running": sum(c is not None for c in children.values())})
                        continue
                    why = _runnable(request) or ("" if len(fds) == 3 else "three fds are needed")
                    if why or conn in owner:
                        for fd in fds:
                            os.close(fd)
                        _send(conn, {"refused": why or "one run per connection"})
                        continue
                    pid = server.fork(lambda: _child(request, fds, base_path), fds)
                    runs += 1
                    last = time.monotonic()
                    children[pid], owner[conn] = conn, pid
                    _send(conn, {"pid": pid})
            for pid, (deadline, _folder) in list(detached.items()):
                if time.monotonic() > deadline:
                    for kill in (os.killpg, os.kill):
                        with contextlib.suppress(OSError):
                            kill(pid, signal.SIGKILL)
            if not children and time.monotonic() - last > idle:
                break
            if retiring:
                if not children and not detached:
                    break
                continue  # its socket is gone on purpose
            try:
                if os.stat(path).st_ino != ours:
                    break  # replaced by a newer server
            except FileNotFoundError:
                break
    finally:
        release_socket()
        for conn in list(owner):
            forget(conn)
        for pid, (_deadline, folder) in detached.items():
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(OSError):
                    kill(pid, signal.SIGKILL)
            shutil.rmtree(folder, ignore_errors=True)


# --- the client's side -------------------------------------------------------------------------------


class WarmProcess:
    """Popen's face for a child of the warm server. Its connection is its lifeline: closing it (or
    this process ending) makes the server kill the child's process group."""

    def __init__(self, conn: socket.socket, pid: int, args: list[str]) -> None:
        self.conn = conn
        self.pid = pid
        self.args = args
        self.returncode: int | None = None

    def _take(self, timeout: float | None) -> None:
        if self.returncode is not None:
            return
        self.conn.settimeout(timeout)
        try:
            data = self.conn.recv(MAX_MESSAGE)
        except (BlockingIOError, TimeoutError, socket.timeout):
            return
        except OSError:
            data = b""
        if not data:
            self.returncode = -signal.SIGKILL  # the server went away: so did its children
        else:
            self.returncode = json.loads(data).get("exit", -signal.SIGKILL)
        self.conn.close()

    def poll(self) -> int | None:
        self._take(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._take(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def detach(self, seconds: float, folder: str | Path) -> bool:
        """Let the child finish on its own (its clean-up) for at most `seconds`, after which the server kills
        its process group; the server removes `folder` once the child is gone. False: it can't (the child
        already ended, or an older server), and the caller stays responsible."""
        if self.returncode is not None:
            return False
        try:
            self.conn.settimeout(2)
            self.conn.send(json.dumps({"detach": float(seconds), "folder": str(folder)}).encode())
            while True:  # the exit code may come first: the child can end at any moment
                answer = json.loads(self.conn.recv(MAX_MESSAGE) or b"{}")
                if "exit" in answer:
                    self.returncode = answer["exit"]
                    return False
                return bool(answer.get("detached"))
        except (OSError, ValueError):
            return False

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


def _fd(value, default_mode: int, devnull: list[int]) -> int:
    if value is None or value == subprocess.DEVNULL:
        if not devnull:
            devnull.append(os.open(os.devnull, os.O_RDWR))
        return devnull[0]
    return value if isinstance(value, int) else value.fileno()


def spawn(path: str | Path, args: list[str], cwd, env: dict[str, str], stdin=None, stdout=None,
          stderr=None) -> WarmProcess | None:
    """Ask the warm server at `path` to run `args` (`python -m MODULE ...`); None if it can't."""
    devnull: list[int] = []
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        conn.settimeout(2)
        conn.connect(str(path))
        out = _fd(stdout, os.O_WRONLY, devnull)
        err = out if stderr == subprocess.STDOUT else _fd(stderr, os.O_WRONLY, devnull)
        fds = [_fd(stdin, os.O_RDONLY, devnull), out, err]
        payload = json.dumps({"args": [str(a) for a in args], "cwd": str(cwd), "env": {**env, SOCKET_ENV: str(path)}})
        socket.send_fds(conn, [payload.encode()], fds)
        conn.settimeout(10)
        answer = json.loads(conn.recv(MAX_MESSAGE) or b"{}")
    except (OSError, ValueError):
        conn.close()
        return None
    finally:
        for fd in devnull:
            os.close(fd)
    if "pid" not in answer:
        conn.close()
        return None
    return WarmProcess(conn, answer["pid"], list(args))


def _ask(path: Path, message: dict) -> dict | None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as conn:
            conn.settimeout(2)
            conn.connect(str(path))
            conn.send(json.dumps(message).encode())
            return json.loads(conn.recv(MAX_MESSAGE) or b"{}")
    except (OSError, ValueError):
        return None


def start(root: Path, idle: float | None = None) -> Path | None:
    """Make sure a warm server for this course is running or starting; its socket path, or None when
    warm checks are off. Never waits for it: until it listens, checks start pytest the ordinary way."""
    if not enabled():
        return None
    try:
        path = socket_path(root)
    except OSError:
        return None
    if path.exists() and _ask(path, {"status": True}):
        return path
    for old in path.parent.glob(f"warm-{_root_key(root)}-*.sock"):
        if old != path:  # the same course, before a checker change or a `pip install` (or another copy of
            answer = _ask(old, {"retire": True}) or {}  # the checker): its checks in flight finish, then it ends
            if not answer.get("retiring"):
                _ask(old, {"stop": True})  # a server from before `retire`
    idle = idle if idle is not None else float(os.environ.get("AWAITLINGS_WARM_IDLE", IDLE_SECONDS))
    env = {k: v for k, v in os.environ.items() if k not in APPLIED_IN_CHILD and k != SOCKET_ENV}
    log = os.environ.get("AWAITLINGS_WARM_LOG")  # where the server's own errors go, to debug it
    try:
        with open(log or os.devnull, "ab") as out:
            _started.append(subprocess.Popen(
                [sys.executable, "-m", "awaitlings.warm", "serve", str(path), str(idle)], cwd=str(root), env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True))
    except OSError:
        return None
    return path


_started: list[subprocess.Popen] = []  # kept, not waited for: the server outlives this process


def wait_ready(path: Path | None, timeout: float = 30.0) -> bool:
    """Wait until the server at `path` answers (it listens only once its imports are done)."""
    deadline = time.monotonic() + timeout
    while path is not None and time.monotonic() < deadline:
        if path.exists() and _ask(path, {"status": True}):
            return True
        time.sleep(0.05)
    return False


def launcher(path: Path | None):
    """A `subprocess.Popen` stand-in that runs `python -m ...` commands warm when it can."""

    def launch(args, cwd=None, env=None, stdin=None, stdout=None, stderr=None, start_new_session=True, **kwargs):
        if path is not None and not kwargs:
            process = spawn(path, list(args), cwd or os.getcwd(), dict(env if env is not None else os.environ),
                            stdin, stdout, stderr)
            if process is not None:
                return process
        return subprocess.Popen(args, cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=stderr,
                                start_new_session=start_new_session, **kwargs)

    return launch


def status(root: Path) -> dict | None:
    try:
        path = socket_path(root)
    except OSError:
        return None
    answer = _ask(path, {"status": True}) if path.exists() else None
    return {**answer, "socket": str(path)} if answer else None


def stop(root: Path | None = None) -> int:
    """Stop this course's warm server (every one of this user's, without `root`); how many stopped."""
    try:
        folder = _private_dir()
    except OSError:
        return 0
    paths = sorted(folder.glob(f"warm-{_root_key(root)}-*.sock" if root else "warm-*.sock"))
    stopped = 0
    for path in paths:
        if path.exists() and _ask(path, {"stop": True}):
            stopped += 1
    return stopped


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        sys.path[0] = os.getcwd()
        serve(Path(sys.argv[2]), float(sys.argv[3]))
    else:
        print("usage: python -m awaitlings.warm serve SOCKET IDLE_SECONDS", file=sys.stderr)
        sys.exit(2)
