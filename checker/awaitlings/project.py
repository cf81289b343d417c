"""`awaitlings run NN`: start a lesson's mini-project (its [run] processes) on localhost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from . import ui
from .course import Lesson
from .i18n import _
from .targets import LEARNER, target_root
from .testing import wait_for_port

COLOURS = [ui.cyan, ui.yellow, ui.green, ui.bold]


def _pump(name: str, colour, stream) -> None:
    for raw in iter(stream.readline, b""):
        print(f"{colour(f'{name:>10} |')} {raw.decode(errors='replace').rstrip()}", flush=True)


def run_project(lesson: Lesson, duration: float | None = None, target: str = LEARNER) -> int:
    spec = lesson.run
    if not spec or not spec.get("processes"):
        print(_("{lesson} has no mini-project. Open notebooks/{lesson}.ipynb in Jupyter instead.").format(lesson=lesson.slug))
        return 0
    root, is_overlay = target_root(lesson, target)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "PYTHONUNBUFFERED": "1"}
    processes: list[tuple[str, subprocess.Popen]] = []

    def _stop(signum, frame):  # SIGTERM (a service manager, `kill`) cleans up like Ctrl-C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    print(ui.bold(f"{lesson.slug}: {lesson.shown_run_description}"))
    try:
        for index, proc in enumerate(spec["processes"]):
            cmd = [part.format(python=sys.executable) for part in proc["cmd"]]
            child = subprocess.Popen(cmd, cwd=root, env={**env, **proc.get("env", {})}, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
            processes.append((proc["name"], child))
            threading.Thread(target=_pump, args=(proc["name"], COLOURS[index % len(COLOURS)], child.stdout),
                             daemon=True).start()
        for proc, (name, child) in zip(spec["processes"], processes):
            if proc.get("port"):
                try:
                    wait_for_port(int(proc["port"]), timeout=float(proc.get("ready_timeout", 30)), process=child)
                except (RuntimeError, TimeoutError) as error:
                    print(ui.red(_("{name} did not start: {error}").format(name=name, error=error)))
                    return 1
        if spec.get("open"):
            print(ui.green("\n  " + _("Ready: open {url}").format(url=spec["open"])) + ui.dim(
                "   " + _("(Ctrl-C stops everything)") + "\n"), flush=True)
        deadline = time.monotonic() + duration if duration else None
        while deadline is None or time.monotonic() < deadline:
            for name, child in processes:
                if child.poll() is not None:
                    print(ui.red(_("{name} exited with code {code}; stopping the others.").format(
                        name=name, code=child.returncode)))
                    return 1
            time.sleep(0.2)
        return 0
    except KeyboardInterrupt:
        print(ui.dim("\n" + _("Stopping…")))
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        for _name, child in processes:
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for _name, child in processes:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        if is_overlay:
            import shutil

            shutil.rmtree(root, ignore_errors=True)
