"""The measurements behind lesson 04's decision guide (course-owned; the notebook plots them).

    python bench.py

Two kinds of work, four ways to run them, on this machine:
- io:  8 waits of 0.1 s (time.sleep for sequential/threads/processes, asyncio.sleep for asyncio);
- cpu: 4 pure-Python computations of about 0.1 s each.
Ways: one after another, a pool of threads, a pool of processes (one per core), asyncio.gather.
Then the scale question: 1,000 waits at once, as asyncio tasks and as threads.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

WAIT = 0.1
IO_JOBS = 8
CPU_JOBS = 4
CPU_STEPS = 1_500_000


# --8<-- [start:jobs]
def io_job(_: int) -> None:
    time.sleep(WAIT)  # stands for any blocking wait: a socket, a disk, a database


async def io_job_async(_: int) -> None:
    await asyncio.sleep(WAIT)  # the same wait, as a coroutine


def cpu_job(seed: int) -> int:
    total = seed
    for step in range(CPU_STEPS):  # pure Python: holds the GIL
        total = (total * 31 + step) % 1_000_000_007
    return total


async def cpu_job_async(seed: int) -> int:
    return cpu_job(seed)  # `async def` does not make computation concurrent: nothing here awaits
# --8<-- [end:jobs]


def _run(coro):
    """asyncio.run(coro), also from a notebook, whose thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coro).result()


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def compare(repeat: int = 2) -> dict[str, dict[str, float]]:
    """{"io": {way: seconds}, "cpu": {way: seconds}}, best of `repeat`; process pools are started
    before the clock (start-up is a separate cost, measured in lesson 03)."""
    cores = os.cpu_count() or 1
    out: dict[str, dict[str, list[float]]] = {"io": {}, "cpu": {}}
    with ProcessPoolExecutor(max_workers=cores) as processes:
        list(processes.map(abs, range(cores)))  # start the workers now
        for _ in range(repeat):
            for kind, job, job_async, n in (("io", io_job, io_job_async, IO_JOBS), ("cpu", cpu_job, cpu_job_async, CPU_JOBS)):
                ways = {
                    "sequential": lambda: [job(i) for i in range(n)],
                    "threads": lambda: _on_threads(job, n),
                    "processes": lambda: list(processes.map(job, range(n))),
                    "asyncio": lambda: _run(_gather(job_async, n)),
                }
                for way, run in ways.items():
                    out[kind].setdefault(way, []).append(_timed(run))
    return {kind: {way: min(times) for way, times in ways.items()} for kind, ways in out.items()}


def _on_threads(job, n: int) -> list:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(job, range(n)))


async def _gather(job_async, n: int) -> list:
    return await asyncio.gather(*(job_async(i) for i in range(n)))


def scale(waits: int = 1000, seconds: float = 0.2) -> dict[str, float]:
    """Wall time for `waits` simultaneous waits of `seconds`, as asyncio tasks and as threads."""

    async def many() -> None:
        await asyncio.gather(*(asyncio.sleep(seconds) for _ in range(waits)))

    def threads() -> None:
        with ThreadPoolExecutor(max_workers=waits) as pool:
            list(pool.map(lambda _: time.sleep(seconds), range(waits)))

    return {"asyncio tasks": _timed(lambda: _run(many())), "threads": _timed(threads)}


def main() -> None:
    print(f"{os.cpu_count()} CPU cores\n")
    for kind, ways in compare().items():
        base = ways["sequential"]
        print(kind)
        for way, seconds in ways.items():
            print(f"  {way:<11} {seconds:6.3f} s  {base / seconds:5.2f}x")
    print("\n1,000 waits of 0.2 s at once:")
    for way, seconds in scale().items():
        print(f"  {way:<14} {seconds:.3f} s")


if __name__ == "__main__":
    main()
