"""A warm fork server for sandboxed pytest runs: start Python, import pytest, the plugins and the heavy
libraries once, then fork one child per run. It saves each (submission, lesson) run the ~0.5–1 s of
interpreter start-up and imports that dominate short lessons.

    grader threads --(SOCK_SEQPACKET: JSON + fds)--> zygote (root, single-threaded, never runs tests)
                                                       └─ fork ─ child: setsid, close every other fd,
                                                                 [unshare mount/net/ipc/pid, fork again:
                                                                  pid 1 of the new namespace,
                                                                  private mounts, its own /proc]
                                                                 jail.setup: hide, read-only, tmpfs HOME,
                                                                 loopback, rlimits, drop to the slot uid
                                                                 → pytest in that process

The child closes the control socket before anything else, so code under test can never ask the
zygote for anything. The zygote reports each child's exit status (Popen's convention) back to the
grader; if the grader goes away the zygote exits and its children die with it (parent-death signals).

Preloading, the wake-up pipe, forking and reaping are awaitlings.forkserver's, shared with the learner's
warm server (warm.py); this module adds the sandboxed child and the grader's request format.

Run as `python zygote.py FD` (FD: the control socket); see `Zygote` for the grader's side."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import traceback
from pathlib import Path

from awaitlings.forkserver import MAX_MESSAGE, ForkServer, adopt_environment, reset_signals

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x08000000, 0x40000000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
# The batch grader's own extra: the guard plugin every sandboxed run loads (never preloaded by warm.py).
EXTRA_PRELOAD = ("awaitlings.grading.guard",)


# --- the zygote process ------------------------------------------------------------------------------


def _send(sock: socket.socket, message: dict) -> None:
    try:
        sock.send(json.dumps(message).encode())
    except OSError:
        os._exit(0)  # the grader is gone


def _child(request: dict, fds: list[int], keep_out: list[int]) -> None:
    """In the forked child: become the sandboxed pytest run. Never returns."""
    code = 99
    try:
        os.setsid()
        import ctypes

        from awaitlings.grading import jail

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # die with the zygote
        for fd in keep_out:
            os.close(fd)
        reset_signals()
        log, report_fd, key_fd = fds
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        keep = {0, 1, 2, report_fd, key_fd}
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if request.get("namespaces"):
            if libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID) != 0:
                raise OSError(ctypes.get_errno(), "unshare failed")
            inner = os.fork()
            if inner:
                # The outer process stands where `unshare --fork --kill-child` would: it waits for pid 1
                # of the new namespace and exits the same way.
                os.close(report_fd)
                os.close(key_fd)
                _, status = os.waitpid(inner, 0)
                if os.WIFSIGNALED(status):
                    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
                    os.kill(os.getpid(), os.WTERMSIG(status))
                os._exit(os.waitstatus_to_exitcode(status))
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)
            jail._mount(None, "/", None, MS_REC | MS_PRIVATE)
            jail._mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        adopt_environment(request["env"])
        # The pipes arrived under new numbers.
        from awaitlings import protocol

        spec = protocol.RunSpec.from_json(os.environ[protocol.ENV])
        os.environ[protocol.ENV] = spec.replace(report_fd=report_fd, key_fd=key_fd).to_json()
        os.chdir(request["cwd"])
        problems = jail.setup(request["spec"])
        if problems:
            print("awaitlings-sandbox: " + "; ".join(problems), file=sys.stderr, flush=True)
        import pytest

        sys.argv = ["pytest", *request["args"]]
        sys.path[0] = os.getcwd()
        sys.dont_write_bytecode = True
        code = pytest.console_main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001
        try:
            traceback.print_exc()
        except Exception:  # noqa: BLE001
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code if isinstance(code, int) else 1)


def serve(control_fd: int) -> None:
    sock = socket.socket(fileno=control_fd)
    server = ForkServer()
    failed = server.prepare(EXTRA_PRELOAD)
    if not server.single_threaded():
        _send(sock, {"error": "a preloaded module started a thread: forking would be unsafe"})
        return
    server.install_wakeup()
    server.watch(sock)
    _send(sock, {"ready": True, "failed": failed})
    while True:
        for key in server.select():
            if key.fileobj is sock:
                try:
                    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 8)
                except OSError:
                    data, fds = b"", []
                if not data:
                    return  # the grader is gone; our children die with us
                request = json.loads(data)
                pid = server.fork(lambda: _child(request, fds, [sock.fileno(), *server.own_fds()]), fds)
                _send(sock, {"id": request["id"], "pid": pid})
            elif server.is_wake(key):
                for pid, code in server.reaped():
                    _send(sock, {"exit": pid, "code": code})


# --- the grader's side -------------------------------------------------------------------------------


class ZygoteError(RuntimeError):
    pass


class Zygote:
    """A running zygote, shared by the grading threads of one process."""

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self.sock = ours
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._started: dict[int, int] = {}
        self._exits: dict[int, int] = {}
        self._next = 0
        self.alive = True
        ours.settimeout(120)
        hello = json.loads(ours.recv(MAX_MESSAGE) or b"{}")
        ours.settimeout(None)
        if not hello.get("ready"):
            self.close()
            raise ZygoteError(hello.get("error", "the zygote did not start"))
        self.failed_imports = hello.get("failed", [])
        threading.Thread(target=self._read, daemon=True, name="awaitlings-zygote").start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(MAX_MESSAGE)
            except OSError:
                data = b""
            with self._changed:
                if not data:
                    self.alive = False
                    self._changed.notify_all()
                    return
                message = json.loads(data)
                if "exit" in message:
                    self._exits[message["exit"]] = message["code"]
                elif "pid" in message:
                    self._started[message["id"]] = message["pid"]
                self._changed.notify_all()

    def spawn(self, args: list[str], cwd: str, env: dict, spec: dict, namespaces: bool, fds: list[int]) -> int:
        with self._lock:
            self._next += 1
            request_id = self._next
            payload = json.dumps({"id": request_id, "args": args, "cwd": cwd, "env": env, "spec": spec,
                                  "namespaces": namespaces}).encode()
            socket.send_fds(self.sock, [payload], fds)
        with self._changed:
            if not self._changed.wait_for(lambda: request_id in self._started or not self.alive, timeout=30):
                raise ZygoteError("the zygote did not answer")
            if request_id not in self._started:
                raise ZygoteError("the zygote stopped")
            return self._started.pop(request_id)

    def wait(self, pid: int, timeout: float | None) -> int | None:
        with self._changed:
            self._changed.wait_for(lambda: pid in self._exits or not self.alive, timeout=timeout)
            if pid in self._exits:
                return self._exits[pid]
            if not self.alive:
                return -signal.SIGKILL
            return None

    def poll(self, pid: int) -> int | None:
        with self._changed:
            return self._exits.get(pid, -signal.SIGKILL if not self.alive else None)

    def close(self) -> None:
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class ZygoteProcess:
    """Popen's face for a zygote child."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote = zygote
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            self.returncode = self.zygote.poll(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None):
        if self.returncode is None:
            code = self.zygote.wait(self.pid, timeout)
            if code is None:
                raise subprocess.TimeoutExpired("pytest", timeout)
            self.returncode = code
        return self.returncode


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # never this folder: its modules' names are common words
    serve(int(sys.argv[1]))
