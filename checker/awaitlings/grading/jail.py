"""The first code that runs inside a grading sandbox, before pytest and before any learner code.

Started as `python jail.py SPEC_JSON -- -m pytest ...` by sandbox.py, usually under
`unshare --pid --fork --kill-child --mount --mount-proc --net --ipc [--user --map-root-user]`.
Still privileged (root, or root of its own user namespace), it:

1. hides what a submission must not read (the instructor's solutions and lessons, the gradebook being
   written, other submissions) under empty read-only tmpfs mounts;
2. makes the staged course (tests, fixtures, the submitted files) read-only with a bind mount;
3. mounts a small private tmpfs as the scratch HOME/TMPDIR;
4. brings the loopback interface up in the empty network namespace (lessons start servers on 127.0.0.1);
5. sets resource limits (memory, processes, open files, file size, CPU, no core dumps);
6. drops to the slot's unprivileged uid/gid with no_new_privs (root mode),
7. and runs pytest in this same interpreter.

Standard library only, no awaitlings imports: it must not depend on anything the sandbox hides."""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import resource
import runpy
import signal
import socket
import struct
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC = 32, 4096, 16384
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def hide(path: str) -> None:
    """Replace a folder by an empty read-only one, a file by an empty file."""
    if os.path.isdir(path):
        _mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    elif os.path.exists(path):
        _mount("/dev/null", path, None, MS_BIND)


def expose(needed: str, blocked: str, staging: str) -> None:
    """`blocked` is a folder the unprivileged uid can't enter (say /root, mode 0700) that holds
    something the sandbox needs (say the Python under /root/.pyenv). Replace `blocked` by an empty
    tmpfs and bind just `needed` back at its place."""
    os.makedirs(staging, exist_ok=True)
    _mount(needed, staging, None, MS_BIND | MS_REC)
    if not os.path.ismount(blocked) or not _is_our_tmpfs(blocked):
        _mount("tmpfs", blocked, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    os.makedirs(needed, mode=0o755, exist_ok=True)
    _mount(staging, needed, None, MS_BIND | MS_REC)


_tmpfs_made: set[str] = set()


def _is_our_tmpfs(path: str) -> bool:
    return path in _tmpfs_made


def fresh(path: str, size_mb: int) -> None:
    """An empty, private, world-writable /tmp-like folder in place of the shared one."""
    if os.path.isdir(path):
        _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=1777")


def read_only(path: str) -> None:
    _mount(path, path, None, MS_BIND | MS_REC)
    _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def scratch(path: str, size_mb: int, uid: int, gid: int) -> None:
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=0700,uid={uid},gid={gid}")


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


LIMITS = {
    "as": resource.RLIMIT_AS,
    # Writable private memory (heap, anonymous mmaps, thread stacks) rather than address space: browsers
    # and V8 reserve terabytes they never touch, and a limit on address space kills them at start.
    "data": resource.RLIMIT_DATA,
    "nproc": resource.RLIMIT_NPROC,
    "nofile": resource.RLIMIT_NOFILE,
    "fsize": resource.RLIMIT_FSIZE,
    "cpu": resource.RLIMIT_CPU,
    "core": resource.RLIMIT_CORE,
}


def set_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        kind = LIMITS[name]
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        # CPU: SIGXCPU at the soft limit, SIGKILL a little later.
        resource.setrlimit(kind, (value, value + 5 if name == "cpu" and hard == resource.RLIM_INFINITY else value))


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def lock_down() -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    # Changing uid clears the parent-death signal that `unshare --kill-child` set: set it again, so the
    # sandbox dies with its supervisor. Not dumpable: no ptrace, /proc/self/fd is not listable.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def setup(spec: dict) -> list[str]:
    """Apply the spec; return what could not be applied (reported in the job's warnings)."""
    problems = []
    namespaced = spec.get("namespaced", False)
    if namespaced:
        for path in spec.get("hide", []):
            try:
                hide(path)
            except OSError as error:
                problems.append(f"could not hide {path}: {error}")
        for index, (needed, blocked) in enumerate(spec.get("expose", [])):
            try:
                expose(needed, blocked, os.path.join(spec["staging"], str(index)))
                _tmpfs_made.add(blocked)
            except OSError as error:
                problems.append(f"could not expose {needed}: {error}")
        for path in spec.get("fresh", []):
            try:
                # tmpfs costs only what is written; browsers want room in /dev/shm
                fresh(path, max(512, spec.get("scratch_mb", 128)))
            except OSError as error:
                problems.append(f"could not replace {path}: {error}")
        for path in spec.get("read_only", []):
            read_only(path)  # no read-only course, no grading: the run fails and the job is not cached
        if spec.get("home"):
            try:
                scratch(spec["home"], spec.get("scratch_mb", 128), spec.get("uid", 0), spec.get("gid", 0))
                os.makedirs(os.path.join(spec["home"], "tmp"), exist_ok=True)
                os.chown(os.path.join(spec["home"], "tmp"), spec.get("uid", 0), spec.get("gid", 0))
            except OSError as error:
                problems.append(f"could not mount the scratch HOME: {error}")
        if spec.get("loopback", True):
            try:
                loopback_up()
            except OSError as error:
                problems.append(f"could not bring up loopback: {error}")
    set_limits(spec.get("limits", {}))
    if spec.get("uid") is not None and os.getuid() == 0 and spec["uid"] != 0:
        drop_privileges(spec["uid"], spec["gid"])
    os.umask(0o077)
    try:
        lock_down()
    except OSError as error:
        problems.append(str(error))
    return problems


def main(argv: list[str]) -> None:
    spec = json.loads(argv[1])
    rest = argv[argv.index("--") + 1:]
    problems = setup(spec)
    if problems:
        # The parent reads the first lines of the output; the run continues with what we have.
        print("awaitlings-sandbox: " + "; ".join(problems), file=sys.stderr, flush=True)
    if rest[:1] != ["-m"]:
        os.execv(sys.executable, [sys.executable, *rest])
    module, args = rest[1], rest[2:]
    sys.argv = [module, *args]
    sys.path[0] = os.getcwd()  # as `python -m` would have it, not this file's folder
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    # The report is complete (pytest closed it); skip interpreter finalization, whatever the code
    # under test left behind for it (threads, atexit handlers, huge heaps): the sandbox goes away.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


if __name__ == "__main__":
    main(sys.argv)
