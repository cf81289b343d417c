"""Where does a check's time go? Runs `awaitlings check LESSON` the way a learner's check runs it (warm,
split over the same pytest processes) and prints a timeline: when each process started and collected,
each test's result with its duration, and pytest's own slowest setup/call/teardown phases.

    .venv/bin/python checker/profile_check.py 04              # the reference solutions
    .venv/bin/python checker/profile_check.py 04 --starter    # the pristine starters
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lesson")
    parser.add_argument("--starter", action="store_true", help="profile the starters instead of the solutions")
    parser.add_argument("--jobs", type=int, default=None, help="pytest processes (default: what check uses)")
    parser.add_argument("--slowest", type=int, default=10, help="phases to list per process")
    args = parser.parse_args()

    from awaitlings import cli, protocol, runner, warm
    from awaitlings.course import Course
    from awaitlings.progress import Progress

    course = Course()
    progress = Progress(course)
    lesson = cli._pick_lesson(course, progress, args.lesson)
    target = "starter" if args.starter else "solutions"
    keep = Path(tempfile.mkdtemp(prefix="awaitlings-profile-"))
    started = time.perf_counter()
    lines: list[str] = []

    def stamp(process: str, text: str) -> None:
        lines.append(f"{time.perf_counter() - started:6.2f}  [{process}] {text}")

    read_events = runner._read_events

    def traced(report, offset):
        events, new_offset = read_events(report, offset)
        process = Path(report).parent.name[-4:]
        for event in events:
            if isinstance(event, protocol.TestResult):
                stamp(process, f"{event.outcome:<7} {event.duration:5.2f}s  {event.nodeid.split('::')[-1][:80]}")
            elif isinstance(event, (protocol.Collected, protocol.Done)) or type(event).__name__ == "Settled":
                stamp(process, type(event).__name__.lower())
        return events, new_offset

    command = runner.pytest_command
    runner.pytest_command = lambda spec, verbose=False: command(spec, verbose) + ["--durations=0",
                                                                                  "--durations-min=0.02"]
    runner._read_events = traced
    # The runner's temporary folders go into ours and are kept, so pytest's own output can be read afterwards.
    runner.tempfile = type("tempfile", (), {"mkdtemp": staticmethod(lambda prefix="", **_: tempfile.mkdtemp(
        prefix=prefix, dir=keep))})
    runner.shutil = type("shutil", (), {"rmtree": staticmethod(lambda *a, **k: None)})
    launch = warm.launcher(warm.start(course.root))

    def launched(*a, **k):
        stamp(threading.current_thread().name[-4:], "launch")
        return launch(*a, **k)

    result = runner.check_lesson(lesson, target, jobs=args.jobs or lesson.check_jobs,
                                 durations=cli._durations(lesson, target, progress), launch=launched)
    total = time.perf_counter() - started
    print("\n".join(lines))
    print(f"\ncheck {lesson.slug} ({target}): {total:.2f} s, score {result.score:g}/{result.max_score:g}\n")
    for output in sorted(keep.rglob("output-*.txt")):
        text = output.read_text(errors="replace")
        phases = [line for line in text.splitlines() if re.match(r"^\d+\.\d+s (setup|call|teardown) ", line)]
        summary = [line for line in text.splitlines() if re.search(r"\b(passed|failed)\b.* in [\d.]+s", line)]
        print(f"{output.parent.name}/{output.name}: {summary[-1].strip('= ') if summary else ''}")
        for line in phases[:args.slowest]:
            print("   " + line.replace(f"lessons/{lesson.slug}/tests/", ""))
    shutil.rmtree(keep, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
