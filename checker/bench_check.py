"""How fast does a learner get feedback? Times `awaitlings check LESSON` end to end (a fresh process each
time, as a learner runs it), warm, on the reference solutions and on the pristine starters, and prints
the medians beside each lesson's budget (issue 17: 1 s without services, 2 s with Redis or several
servers, 3 s with a browser).

    .venv/bin/python checker/bench_check.py                 # every lesson, 3 runs each
    .venv/bin/python checker/bench_check.py 01 05 --runs 7 --only solutions

Run it on a quiet machine: it measures wall time, which a busy machine stretches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"solutions": ["--solutions"], "starters": ["--target", "starter"]}
# Lessons whose exercises start several servers without naming a service in lesson.toml's `needs`.
SEVERAL_SERVERS = {"18": "nginx, gunicorn, daphne, Celery"}


def time_check(lesson: str, extra: list[str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([str(Path(sys.executable).with_name("awaitlings")), "check", lesson, *extra], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    # wait() without a timeout blocks in waitpid; with one, Popen polls every 50 ms, which would round
    # every figure up to the next poll. The timer is the time limit instead.
    limit = threading.Timer(300, process.kill)
    limit.start()
    process.wait()
    elapsed = time.perf_counter() - started
    limit.cancel()
    return elapsed


def budget(lesson) -> tuple[float, str]:
    """The issue's target for this lesson's check, and why."""
    needs = set(lesson.needs) | {need for ex in lesson.exercises for need in ex.needs}
    if "browser" in needs:
        return 3.0, "browser"
    if "redis" in needs:
        return 2.0, "Redis"
    if lesson.number in SEVERAL_SERVERS:
        return 2.0, SEVERAL_SERVERS[lesson.number]
    return 1.0, "no services"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: every lesson)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=sorted(TARGETS), help="time one target only")
    args = parser.parse_args()

    from awaitlings.course import Course

    course = Course()
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    targets = [args.only] if args.only else list(TARGETS)
    print(f"awaitlings check, median of {args.runs} warm runs (min–max)\n")
    print(f"{'lesson':<28}" + "".join(f"{t:>20}" for t in targets) + f"{'budget':>9}   verdict")
    over = 0
    for lesson in lessons:
        limit, why = budget(lesson)
        cells, worst = [], 0.0
        for target in targets:
            time_check(lesson.number, TARGETS[target])  # warm-up: bytecode caches, OS file cache
            times = [time_check(lesson.number, TARGETS[target]) for _ in range(args.runs)]
            median = statistics.median(times)
            worst = max(worst, median)
            cells.append(f"{median:>6.2f}s ({min(times):.1f}–{max(times):.1f})")
        verdict = "ok" if worst <= limit else "OVER"
        over += worst > limit
        print(f"{lesson.slug:<28}" + "".join(f"{c:>20}" for c in cells) + f"{limit:>8.0f}s   {verdict} ({why})",
              flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{len(lessons) - over}/{len(lessons)} lessons within budget · load average at the end {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
