"""Progress while a class is graded: a rich bar on a terminal, one plain line per job otherwise."""

from __future__ import annotations

import sys
import threading
import time


class GradeProgress:
    def __init__(self, total: int, quiet: bool = False, stream=None) -> None:
        self.total = total
        self.done = 0
        self.flagged = 0
        self.cached = 0
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self._lock = threading.Lock()
        self._rich = None
        if not quiet and getattr(self.stream, "isatty", lambda: False)():
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self._rich = Progress(SpinnerColumn(), TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[status]}"), TimeElapsedColumn(), TextColumn("eta"),
                                  TimeRemainingColumn(), console=Console(file=self.stream), transient=False)
            self._task = self._rich.add_task("grading", total=total, status="")

    def __enter__(self) -> GradeProgress:
        if self._rich:
            self._rich.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._rich:
            self._rich.stop()

    def _status(self) -> str:
        parts = []
        if self.cached:
            parts.append(f"{self.cached} cached")
        if self.flagged:
            parts.append(f"[yellow]{self.flagged} flagged[/]" if self._rich else f"{self.flagged} flagged")
        return " · ".join(parts)

    def finished(self, result: dict, cached: bool = False) -> None:
        with self._lock:
            self.done += 1
            self.cached += cached
            self.flagged += bool(result.get("flags"))
            if self.quiet:
                return
            if self._rich:
                self._rich.update(self._task, completed=self.done, status=self._status())
                return
            if cached:
                return  # plain mode: one line per graded job; cached ones are summed up at the end
            flags = f"  [{', '.join(result['flags'])}]" if result.get("flags") else ""
            print(f"[{self.done}/{self.total}] {result['submission']} {result['lesson']} "
                  f"{result['score']:g}/{result['max_score']:g} ({result.get('elapsed', 0):.1f} s){flags}",
                  file=self.stream, flush=True)

    def note(self, text: str) -> None:
        if self.quiet:
            return
        if self._rich:
            self._rich.console.print(text)
        else:
            print(text, file=self.stream, flush=True)
