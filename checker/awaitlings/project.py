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
from .targets import LEARNER, target_root
from .testing import wait_for_port

COLOURS = [ui.cyan, ui.yellow, ui.green, ui.bold]


def _pump(name: str, colour, stream, seen: list[str]) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip()
        seen.append(line)
        del seen[:-200]
        print(f"{colour(f'{name:>10} |')} {line}", flush=True)


def _wait_for_line(seen: list[str], text: str, timeout: float, child: subprocess.Popen) -> None:
    """A process without a port (a Celery worker, beat) is ready when its log says so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in list(seen)):
            return
        if child.poll() is not None:
            raise RuntimeError(f"exited with code {child.returncode} before it said {text!r}")
        time.sleep(0.05)
    raise TimeoutError(f"its log didn't say {text!r} within {timeout:.0f} s")


def _status_table(specs: list[dict], processes: list[tuple[str, subprocess.Popen]]) -> None:
    print(ui.bold("\n  process      pid      ready   command"))
    for proc, (name, child) in zip(specs, processes):
        where = f":{proc['port']}" if proc.get("port") else ("log" if proc.get("ready_log") else "-")
        command = " ".join(proc["cmd"]).replace("{python}", "python")
        print(f"  {name:<12} {child.pid:<8} {where:<7} {command[:70]}")


def run_project(lesson: Lesson, duration: float | None = None, target: str = LEARNER) -> int:
    spec = lesson.run
    if not spec or not spec.get("processes"):
        print(f"{lesson.slug} has no mini-project. Open notebooks/{lesson.slug}.ipynb in Jupyter instead.")
        return 0
    root, is_overlay = target_root(lesson, target)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "PYTHONUNBUFFERED": "1"}
    processes: list[tuple[str, subprocess.Popen]] = []
    logs: dict[str, list[str]] = {}

    def _stop(signum, frame):  # SIGTERM (a service manager, `kill`) cleans up like Ctrl-C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    print(ui.bold(f"{lesson.slug}: {spec.get('description', lesson.title)}"))
    try:
        for index, proc in enumerate(spec["processes"]):
            cmd = [part.format(python=sys.executable) for part in proc["cmd"]]
            child = subprocess.Popen(cmd, cwd=root, env={**env, **proc.get("env", {})}, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
            processes.append((proc["name"], child))
            logs[proc["name"]] = []
            threading.Thread(target=_pump, args=(proc["name"], COLOURS[index % len(COLOURS)], child.stdout,
                                                 logs[proc["name"]]), daemon=True).start()
        for proc, (name, child) in zip(spec["processes"], processes):
            timeout = float(proc.get("ready_timeout", 30))
            try:
                if proc.get("port"):
                    wait_for_port(int(proc["port"]), timeout=timeout, process=child)
                if proc.get("ready_log"):
                    _wait_for_line(logs[name], proc["ready_log"], timeout, child)
            except (RuntimeError, TimeoutError) as error:
                print(ui.red(f"{name} did not start: {error}"))
                return 1
        _status_table(spec["processes"], processes)
        if spec.get("open"):
            print(ui.green(f"\n  Ready: open {spec['open']}") + ui.dim("   (Ctrl-C stops everything)\n"), flush=True)
        deadline = time.monotonic() + duration if duration else None
        while deadline is None or time.monotonic() < deadline:
            for name, child in processes:
                if child.poll() is not None:
                    print(ui.red(f"{name} exited with code {child.returncode}; stopping the others."))
                    return 1
            time.sleep(0.2)
        return 0
    except KeyboardInterrupt:
        print(ui.dim("\nStopping…"))
        return 0
    finally:
        # A second Ctrl-C or SIGTERM (a service manager, `pkill`) must not cut the clean-up short.
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for _, child in processes:
            try:
                # The main process only: a Celery worker or gunicorn shuts its own children down in order.
                os.kill(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for _, child in processes:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(child.pid, signal.SIGKILL)  # whatever is left of its group
            except ProcessLookupError:
                pass
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        if is_overlay:
            import shutil

            shutil.rmtree(root, ignore_errors=True)
