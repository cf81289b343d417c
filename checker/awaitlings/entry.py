"""The `awaitlings` command. `check` is handed to the course's warm server when one is running.

Importing the checker (argparse, the lesson model, the runner, the UI) costs a fresh Python about
0.07 s, on every check. The warm server (warm.py) has all of it imported already, so this process
imports only what it takes to reach the server, hands it the command line, the working folder, the
environment and its own stdin/stdout/stderr, and waits: the CLI runs in a forked child, writes straight
to this terminal, and its exit code becomes this process's. Ctrl-C is passed on to it (a second one
stops it outright). With no server (the first check starts one), warm checks off, or any failure to
hand over, the CLI runs right here, as it always did: the server can make a check sooner, never different."""

from __future__ import annotations

import os
import signal
import sys

WARM_COMMANDS = {"check"}  # what a learner runs again and again; the rest runs here


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] and argv[0] in WARM_COMMANDS and not {"-h", "--help"} & set(argv):
        code = run_warm(argv)
        if code is not None:
            return code
    from .cli import main as cli_main

    return cli_main(argv)


def run_warm(argv: list[str]) -> int | None:
    """Run `awaitlings ARGV` in the warm server; its exit code, or None if it could not be handed over."""
    from . import warm
    from .paths import course_root

    if not warm.enabled():
        return None
    root = course_root()
    try:
        path = warm.socket_path(root) if root else None
    except OSError:
        path = None
    if path is None or not path.exists():
        return None  # the CLI, run here, starts the server for the next check
    process = warm.spawn(path, [sys.executable, "-m", "awaitlings.cli", *argv], os.getcwd(), dict(os.environ),
                         stdin=0, stdout=1, stderr=2)
    if process is None:
        return None
    interrupted = []

    def pass_on(signum, _frame) -> None:
        if signum == signal.SIGINT and interrupted:
            process.conn.close()  # a second Ctrl-C: the server kills the CLI and what it started
            raise KeyboardInterrupt
        interrupted.append(signum)
        process.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, pass_on)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        return 130
    if code == -signal.SIGKILL and not interrupted:
        print("awaitlings: the warm checker stopped in the middle of this check. Run it again "
              "(`awaitlings warm stop` makes the next check start a fresh one).", file=sys.stderr)
        return 1
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main())
