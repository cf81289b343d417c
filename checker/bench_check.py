"""How fast does a learner get feedback? Times `awaitlings check LESSON` end to end (a fresh process each
time, as a learner runs it), warm, and prints the median and spread.

    .venv/bin/python checker/bench_check.py 01 05 --runs 7
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=["01", "05"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--solutions", action="store_true", help="time the reference solutions instead")
    args = parser.parse_args()
    extra = ["--solutions"] if args.solutions else []
    print(f"{'lesson':<10} {'median':>8} {'min':>8} {'max':>8}   (awaitlings check, {args.runs} warm runs)")
    for lesson in args.lessons:
        time_check(lesson, extra)  # warm-up: bytecode caches, OS file cache
        times = [time_check(lesson, extra) for _ in range(args.runs)]
        print(f"{lesson:<10} {statistics.median(times):>7.2f}s {min(times):>7.2f}s {max(times):>7.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
