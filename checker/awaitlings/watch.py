"""`awaitlings watch`: re-check the current exercise on every save; keys for hints and navigation."""

from __future__ import annotations

import os
import select
import sys
import threading
import time

from . import ui, warm
from .course import Course
from .i18n import N_, _
from .progress import Progress
from .runner import run_lesson

KEYS = N_("[h] next hint · [c] check again · [l] list · [q] quit")


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


def _key(timeout: float) -> str:
    if not sys.stdin.isatty():
        time.sleep(timeout)
        return ""
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    return sys.stdin.readline().strip().lower()[:1] if ready else ""


def watch(course: Course, lesson_name: str | None, poll: bool = False) -> int:
    progress = Progress(course)
    lesson = course.lesson(lesson_name) if lesson_name else progress.first_unfinished()
    if lesson is None:
        print(ui.green(_("Every exercise is done.")))
        return 0
    changes = Changes([lesson.path / f for f in lesson.editable_files], poll)
    try:
        while True:
            exercise = progress.first_unfinished_exercise(lesson)
            if exercise is None:
                print(ui.green(_("{lesson} complete!").format(lesson=lesson.slug)))
                following = progress.first_unfinished()
                if not following:
                    return 0
                lesson = following
                changes.stop.set()
                changes = Changes([lesson.path / f for f in lesson.editable_files], poll)
                continue
            print("\033[2J\033[H" if sys.stdout.isatty() else "", end="")
            print(ui.dim(_("Checking {what}…").format(what=exercise.key)), flush=True)
            result = run_lesson(lesson, exercises=[exercise.id], launch=warm.launcher(warm.start(course.root)))
            progress.record(result)
            print(ui.show_lesson_result(result, progress))
            if result.passed:
                print(ui.green("  " + _("{exercise} passes! Moving on…").format(exercise=exercise.id)))
                time.sleep(1.0)
                continue
            print(ui.dim("\n  " + _("Save {files} to re-check.").format(files=", ".join(exercise.files)) + " " + _(KEYS)))
            changes.event.clear()
            while not changes.event.is_set():
                key = _key(0.3)
                if key == "q":
                    return 0
                if key == "h":
                    hint = progress.next_hint(exercise)
                    if hint:
                        print(ui.cyan("  " + _("hint {level}/{total}: ").format(level=hint[0], total=len(exercise.hints)))
                              + hint[1])
                elif key == "l":
                    for ex in lesson.exercises:
                        print(f"    {ui.TICK if progress.done(ex) else ui.CROSS} {ex.id}")
                elif key == "c":
                    break
    except KeyboardInterrupt:
        return 0
    finally:
        changes.stop.set()
