"""`awaitlings watch` re-checks when the learner saves, even where file events never arrive (polling)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time


class Output:
    """Everything the process printed, read on a thread so the test never blocks on a pipe."""

    def __init__(self, process) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen = ""
        threading.Thread(target=lambda: [self.lines.put(line) for line in process.stdout], daemon=True).start()

    def until(self, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while needle not in self.seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{needle!r} did not appear; output so far:\n{self.seen}")
            try:
                self.seen += self.lines.get(timeout=remaining)
            except queue.Empty:
                pass
        return self.seen


def test_watch_rechecks_on_save_and_moves_on_when_the_lesson_passes(course_copy):
    process = subprocess.Popen(
        [sys.executable, "-m", "awaitlings.cli", "watch", "02", "--poll"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    output = Output(process)
    try:
        output.until("should be", 60)
        (course_copy / "lessons/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return a + b\n")
        output.until("ex01_add passes", 60)
        output.until("02_tiny complete!", 30)
        output.until("Checking 01_demo/ex01_ok", 30)  # on to the next unfinished lesson
    finally:
        process.kill()


class Pty:
    """`awaitlings watch` on a pseudo-terminal: single keypresses, no Enter, as a learner types them."""

    def __init__(self, args, env) -> None:
        import pty

        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(args[0], args, env)
        self.seen = ""

    def mark(self) -> None:
        """From now on, `until` looks only at what appears after this point."""
        self.start = len(self.seen)

    def until(self, needle: str, timeout: float) -> str:
        import select

        deadline = time.monotonic() + timeout
        while needle not in self.seen[getattr(self, "start", 0):]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{needle!r} did not appear; screen so far:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    self.seen += os.read(self.fd, 4096).decode(errors="replace")
                except OSError:
                    break
        return self.seen

    def press(self, key: str) -> None:
        os.write(self.fd, key.encode())

    def exit_code(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                os.read(self.fd, 4096)
            except OSError:
                pass
            time.sleep(0.05)
        return None

    def kill(self) -> None:
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def test_watch_takes_single_keys_gives_the_next_unseen_hint_lists_resets_and_quits(course_copy):
    screen = Pty([sys.executable, "-m", "awaitlings.cli", "watch", "02", "--poll"],
                 {**os.environ, "NO_COLOR": "1", "TERM": "xterm"})
    exercise = course_copy / "lessons/02_tiny/ex01_add.py"
    starter = exercise.read_text()
    try:
        screen.until("hint 1/2", 60)
        assert "0/" in screen.seen and "exercises" in screen.seen, "a progress bar for the course"
        screen.press("h")  # the result showed hint 1: `h` gives hint 2, not hint 1 again
        screen.until("hint 2/2", 10)
        screen.press("l")
        screen.until("▶ ex01_add", 10)
        screen.mark()
        exercise.write_text("# my attempt\n" + starter)
        screen.until("Checking 02_tiny/ex01_add", 30)  # the save re-checked
        screen.until("Save ex01_add.py", 60)
        screen.press("r")
        screen.until("[y/N]", 10)
        screen.mark()
        screen.press("y")
        screen.until("Your previous version is in", 20)
        assert exercise.read_text() == starter
        screen.until("Save ex01_add.py", 60)
        screen.press("q")
        assert screen.exit_code(10) == 0, screen.seen[-2000:]
    finally:
        screen.kill()
