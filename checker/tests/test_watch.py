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
