"""Measure what threads buy you, and what the GIL takes away (course-owned; the notebook plots it).

Four jobs, each run N times one after another and then on N threads:
- sleep: `time.sleep`, the simplest blocking wait;
- http:  a GET to the slow server, real socket I/O;
- cpu:   a pure-Python loop, which needs the GIL for every bytecode;
- hash:  SHA-256 of a large buffer, C code that releases the GIL while it works.

    python bench.py   # speed-up = sequential time / threaded time; cores busy = CPU time / wall time
"""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from blocking_http import fetch
from slow_server import SlowServer

WAIT = 0.1
DATA = os.urandom(32 * 1024 * 1024)


# --8<-- [start:jobs]
def sleep_job(_: int) -> None:
    time.sleep(WAIT)


def http_job(url: str, _: int) -> str:
    return fetch(url)


def cpu_job(_: int, n: int = 3_000_000) -> int:
    total = 0
    for i in range(n):  # every step is Python bytecode: the thread must hold the GIL
        total += i % 7
    return total


def hash_job(_: int) -> str:
    return hashlib.sha256(DATA).hexdigest()  # hashlib releases the GIL for large buffers
# --8<-- [end:jobs]


# --8<-- [start:measure]
def timed(job, jobs: int, threads: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds used by this whole process) for `jobs` calls on `threads` threads."""
    wall, cpu = time.perf_counter(), time.process_time()
    if threads == 1:
        for i in range(jobs):
            job(i)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(job, range(jobs)))
    return time.perf_counter() - wall, time.process_time() - cpu
# --8<-- [end:measure]


def run(jobs: int = 4, repeat: int = 3) -> dict[str, dict[str, float]]:
    """For each job: best sequential and threaded wall time, and how many cores the threads kept busy
    (CPU time / wall time: the GIL keeps pure-Python threads at 1 core or less, whatever the load)."""
    out: dict[str, dict[str, float]] = {}
    with SlowServer(delay=WAIT) as server:
        workloads = {
            "sleep": sleep_job,
            "http": partial(http_job, server.url("bench")),
            "cpu": cpu_job,
            "hash": hash_job,
        }
        for name, job in workloads.items():
            job(0)  # warm up (imports, first connection)
            sequential, threaded = [], []
            for _ in range(repeat):  # alternate, so a burst of load from elsewhere hits both
                sequential.append(timed(job, jobs, 1))
                threaded.append(timed(job, jobs, jobs))
            best = min(threaded)
            out[name] = {
                "sequential": min(sequential)[0],
                "threads": best[0],
                "speedup": min(sequential)[0] / best[0],
                "cores_busy": best[1] / best[0],
            }
    return out


def main() -> None:
    jobs = 4
    print(f"{jobs} jobs, sequential vs {jobs} threads, on {os.cpu_count()} CPU core(s)\n")
    print(f"{'job':<6} {'sequential':>11} {'threads':>9} {'speed-up':>9} {'cores busy':>11}")
    for name, t in run(jobs).items():
        print(
            f"{name:<6} {t['sequential']:>10.3f}s {t['threads']:>8.3f}s {t['speedup']:>8.2f}x "
            f"{t['cores_busy']:>10.2f}"
        )


if __name__ == "__main__":
    main()
