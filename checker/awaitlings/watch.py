"""`awaitlings watch`: re-check the current exercise on every save; keys for hints and navigation."""

from __future__ import annotations

import os
import select
import sys
import threading
import time

from . import ui, warm
from .course import Course, Exercise
from .i18n import N_, _
from .progress import Progress
from .runner import run_lesson

KEYS = N_("[h] next hint · [c] check · [l] list · [r] reset · [n] next exercise · [q] quit")


def _snapshot(paths) -> dict:
    out = {}
    for path in paths:
        try:
            stat = path.stat()
            out[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            out[path] = None
    return out


class Changes:
    """File events through watchfiles when it works; polling otherwise (WSL, network drives, containers)."""

    def __init__(self, paths, poll: bool) -> None:
        self.paths = list(paths)
        self.event = threading.Event()
        self.stop = threading.Event()
        self.poll = poll or os.environ.get("AWAITLINGS_POLL") == "1" or _events_unreliable(self.paths)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        if not self.poll:
            try:
                from watchfiles import watch

                for _ in watch(*{p.parent for p in self.paths}, stop_event=self.stop, debounce=200,
                               watch_filter=lambda change, path: path.endswith(".py"), rust_timeout=500):
                    self.event.set()
                return
            except Exception:  # noqa: BLE001 - no inotify here: fall back to polling
                pass
        seen = _snapshot(self.paths)
        while not self.stop.is_set():
            time.sleep(0.4)
            now = _snapshot(self.paths)
            if now != seen:
                seen = now
                self.event.set()


def _events_unreliable(paths) -> bool:
    """WSL's Windows drives (/mnt/c) and network mounts deliver no inotify events: poll there."""
    try:
        wsl = "microsoft" in open("/proc/version").read().lower()
    except OSError:
        wsl = False
    return wsl and any(str(p).startswith("/mnt/") for p in paths)


class Keys:
    """Single keypresses, no Enter (the terminal in cbreak mode while watching, restored on exit).
    Without a terminal (a pipe, CI) a whole line is read and its first letter counts."""

    def __init__(self) -> None:
        self.saved = None
        self.fd = sys.stdin.fileno() if sys.stdin and sys.stdin.isatty() else None
        if self.fd is not None:
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)

    def read(self, timeout: float) -> str:
        if self.fd is None:
            if sys.stdin is None or sys.stdin.closed:
                time.sleep(timeout)
                return ""
            ready, _, _ = select.select([sys.stdin], [], [], timeout)
            return sys.stdin.readline().strip().lower()[:1] if ready else ""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        return os.read(self.fd, 1).decode(errors="ignore").lower() if ready else ""

    def restore(self) -> None:
        if self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            self.saved = None


def progress_bar(progress: Progress, width: int = 30) -> str:
    done, total = progress.counts()
    filled = round(width * done / total) if total else 0
    return f"{ui.green('█' * filled)}{ui.dim('░' * (width - filled))} " + _("{done}/{total} exercises").format(
        done=done, total=total)


def _reset(exercise: Exercise) -> None:
    import argparse

    from .cli import cmd_reset

    cmd_reset(argparse.Namespace(name=exercise.id, yes=True))


def watch(course: Course, lesson_name: str | None, poll: bool = False) -> int:
    progress = Progress(course)
    lesson = course.lesson(lesson_name) if lesson_name else progress.first_unfinished()
    if lesson is None:
        print(ui.green(_("Every exercise is done.")))
        return 0
    keys = Keys()
    changes = Changes([lesson.path / f for f in lesson.editable_files], poll)
    skipped: set[str] = set()
    try:
        while True:
            pending = [ex for ex in lesson.exercises if not progress.done(ex)]
            exercise = next((ex for ex in pending if ex.id not in skipped), pending[0] if pending else None)
            if exercise is None:
                print(ui.green(_("{lesson} complete!").format(lesson=lesson.slug)))
                following = progress.first_unfinished()
                if not following:
                    return 0
                lesson = following
                skipped.clear()
                changes.stop.set()
                changes = Changes([lesson.path / f for f in lesson.editable_files], poll)
                continue
            print("\033[2J\033[H" if sys.stdout.isatty() else "", end="")
            print(progress_bar(Progress(course)))
            print(ui.dim(_("Checking {what}…").format(what=exercise.key)), flush=True)
            result = run_lesson(lesson, exercises=[exercise.id], launch=warm.launcher(warm.start(course.root)),
                                background_cleanup=True)
            progress.record(result)
            print(ui.show_lesson_result(result, progress))
            if result.passed:
                print(ui.green("  " + _("{exercise} passes! Moving on…").format(exercise=exercise.id)))
                time.sleep(1.0)
                continue
            progress.saw_hint(exercise)  # the result just showed it: `h` gives the next one
            print(ui.dim("\n  " + _("Save {files} to re-check.").format(files=", ".join(exercise.files)) + " " + _(KEYS)),
                  flush=True)
            changes.event.clear()
            while not changes.event.is_set():
                key = keys.read(0.3)
                if key == "q":
                    return 0
                if key == "h":
                    hint = progress.next_hint(exercise)
                    if hint:
                        more = "" if hint[0] < len(exercise.hints) else ui.dim(" " + _("(the last one)"))
                        print(ui.cyan("  " + _("hint {level}/{total}: ").format(level=hint[0], total=len(exercise.hints)))
                              + hint[1] + more, flush=True)
                elif key == "l":
                    for ex in lesson.exercises:
                        mark = ui.TICK if progress.done(ex) else ("▶" if ex is exercise else ui.CROSS)
                        print(f"    {mark} {ex.id:<28} {ex.shown_title}", flush=True)
                    print("    " + progress_bar(progress), flush=True)
                elif key == "r":
                    print("  " + _("Reset {files} to the starter? A backup is kept. [y/N] ").format(
                        files=", ".join(exercise.files)), end="", flush=True)
                    if keys.read(30) == "y":
                        print()
                        _reset(exercise)
                        progress = Progress(course)
                        break
                    print(ui.dim(_("nothing changed")), flush=True)
                elif key == "n":
                    skipped.add(exercise.id)
                    following = next((ex for ex in pending if ex.id not in skipped), None)
                    if following is None:
                        skipped.clear()
                        print(ui.dim("  " + _("No other unfinished exercise in this lesson: back to the first.")),
                              flush=True)
                    break
                elif key == "c":
                    break
    except KeyboardInterrupt:
        return 0
    finally:
        keys.restore()
        changes.stop.set()
