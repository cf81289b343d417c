"""How many times does each periodic job run per slot with one beat, and with two? Course-owned.

Starts a private Redis, one worker and beats on the fast clock (every entry due each `tick` seconds), and
counts the runs the worker recorded: the unguarded control job shows what beat sends, the guarded one
what exercise 2's once_per_slot lets through.

    python bench.py               # your files
    python bench.py --solutions   # the reference solutions (a temporary copy of the lesson)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def served_folder(solutions: bool) -> Path:
    """The lesson folder, or a temporary copy of it with the reference solutions laid over."""
    if not solutions:
        return HERE
    copy = Path(tempfile.mkdtemp(prefix="lesson15-")) / "lesson"
    shutil.copytree(HERE, copy, ignore=shutil.ignore_patterns("__pycache__", "var", "celerybeat-schedule*"))
    shutil.copytree(HERE.parent.parent / "solutions" / HERE.name, copy, dirs_exist_ok=True)
    return copy


def per_slot(stamps: list[float], tick: float) -> float:
    slots = {int(t // tick) for t in stamps}
    return len(stamps) / max(1, len(slots))


# --8<-- [start:measure]
def measure(folder: Path, redis_url: str, *, beats: int, tick: float = 0.2, ticks: int = 6) -> dict:
    """Run `beats` beats (and one worker) for `ticks` ticks; runs per slot of each control job."""
    import redis
    from awaitlings.testing.beat import CeleryBeat
    from awaitlings.testing.celery import CeleryWorker

    client = redis.Redis.from_url(redis_url)
    client.delete("runs:tick_unguarded", "runs:tick_guarded")
    env = {"REDIS_URL": redis_url, "BEAT_TEST_SECONDS": str(tick), "PYTHONPATH": str(folder)}
    with CeleryWorker("config", concurrency=2, env=env, cwd=folder) as worker:
        started = [CeleryBeat("config", env=env, cwd=folder).start() for _ in range(beats)]
        try:
            for beat in started:
                beat.wait_ready()
            for beat in started:
                beat.wait_sent("tick-unguarded", count=ticks, timeout=30)
        finally:
            for beat in started:
                beat.close()
        while client.llen("celery"):  # the worker takes what was sent before it stops
            time.sleep(0.01)
        time.sleep(0.1)
        worker.stop()
    unguarded = [float(t) for t in client.lrange("runs:tick_unguarded", 0, -1)]
    guarded = [float(t) for t in client.lrange("runs:tick_guarded", 0, -1)]
    return {"beats": beats, "unguarded_per_slot": per_slot(unguarded, tick),
            "guarded_per_slot": per_slot(guarded, tick), "unguarded_runs": len(unguarded), "guarded_runs": len(guarded)}
# --8<-- [end:measure]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", action="store_true")
    args = parser.parse_args()
    from awaitlings.testing.redis_server import RedisServer

    folder = served_folder(args.solutions)
    os.environ.pop("AWAITLINGS_TARGET_ROOT", None)
    with RedisServer() as server:
        for count in (1, 2):
            row = measure(folder, server.url, beats=count)
            print(f"{count} beat(s): unguarded {row['unguarded_per_slot']:.2f} runs/slot "
                  f"({row['unguarded_runs']} runs), guarded {row['guarded_per_slot']:.2f} runs/slot "
                  f"({row['guarded_runs']} runs)")
    if args.solutions:
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
