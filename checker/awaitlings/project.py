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


def _fill(text: str, scratch: str) -> str:
    """`{python}` is the interpreter running awaitlings; `{scratch}` a private folder for this run (made
    before anything starts, removed after everything stopped): generated configs, a database file."""
    return text.replace("{python}", sys.executable).replace("{scratch}", scratch)


def _status_table(specs: list[dict], processes: list[tuple[str, subprocess.Popen]]) -> None:
    print(ui.bold("\n  process      pid      ready   command"))
    for proc, (name, child) in zip(specs, processes):
        where = f":{proc['port']}" if proc.get("port") else ("log" if proc.get("ready_log") else "-")
        command = " ".join(proc["cmd"]).replace("{python}", "python").replace("{scratch}", "$SCRATCH")
        print(f"  {name:<12} {child.pid:<8} {where:<7} {command[:70]}")


def run_project(lesson: Lesson, duration: float | None = None, target: str = LEARNER) -> int:
    spec = lesson.run
    if not spec or not spec.get("processes"):
        print(_("{lesson} has no mini-project. Open notebooks/{lesson}.ipynb in Jupyter instead.").format(lesson=lesson.slug))
        return 0
    root, is_overlay = target_root(lesson, target)
    import tempfile

    scratch = tempfile.mkdtemp(prefix=f"awaitlings-run-{lesson.number}-")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "PYTHONUNBUFFERED": "1"}
    # [run] env: what every process gets (a process's own env adds to it); values may use {scratch}.
    env.update({key: _fill(str(value), scratch) for key, value in spec.get("env", {}).items()})
    processes: list[tuple[str, subprocess.Popen]] = []
    logs: dict[str, list[str]] = {}

    def _stop(signum, frame):  # SIGTERM (a service manager, `kill`) cleans up like Ctrl-C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    print(ui.bold(f"{lesson.slug}: {lesson.shown_run_description}"))
    try:
        # [run] prepare: commands run to completion, in order, before any process starts (write a config
        # that needs the run's paths, create tables). A failing one stops the run.
        for step in spec.get("prepare", []):
            done = subprocess.run([_fill(part, scratch) for part in step], cwd=root, env=env)
            if done.returncode != 0:
                print(ui.red(_("prepare step `{step}` failed with code {code}").format(step=" ".join(step),
                                                                                      code=done.returncode)))
                return 1
        for index, proc in enumerate(spec["processes"]):
            cmd = [_fill(part, scratch) for part in proc["cmd"]]
            own_env = {key: _fill(str(value), scratch) for key, value in proc.get("env", {}).items()}
            child = subprocess.Popen(cmd, cwd=root, env={**env, **own_env}, stdout=subprocess.PIPE,
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
                print(ui.red(_("{name} did not start: {error}").format(name=name, error=error)))
                return 1
        _status_table(spec["processes"], processes)
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
        # A second Ctrl-C or SIGTERM (a service manager, `pkill`) must not cut the clean-up short.
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for _name, child in processes:
            try:
                # The main process only: a Celery worker or gunicorn shuts its own children down in order.
                os.kill(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for _name, child in processes:
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
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
        if is_overlay:
            import shutil

            shutil.rmtree(root, ignore_errors=True)
