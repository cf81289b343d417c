"""The crash drill, twice: the blog post's settings and charge (naive) against yours (or the reference).

    python bench.py                    # naive vs the files in this folder (yours)
    python bench.py --solutions        # naive vs the reference solutions
    python bench.py --orders 200 --kills 6

Each run: two `celery worker` processes (one pool process each) charge N orders; whenever a worker is in
the middle of a charge, it is SIGKILLed (main process and pool) and started again, K times. Then the
broker is drained and every order's charges are counted: once, twice, or never (lost). Runs on its own
Redis ($REDIS_URL, or a private redis-server) and a throw-away SQLite file."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def overlay(kind: str, into: Path) -> Path:
    """A copy of the lesson with the naive (starter), reference (solution) or your files."""
    shutil.copytree(HERE, into, ignore=shutil.ignore_patterns("tests", "*.sqlite3", "__pycache__"))
    if kind == "naive":
        files = json.loads((COURSE / "checker/awaitlings/starters/14_celery_reliability.json").read_text())["files"]
        for rel, text in files.items():
            (into / rel).write_text(text)
    elif kind == "solutions":
        for path in (COURSE / "solutions/14_celery_reliability").rglob("*.py"):
            rel = path.relative_to(COURSE / "solutions/14_celery_reliability")
            shutil.copyfile(path, into / rel)
    return into


def run(kind: str, folder: Path, env: dict, orders: int, kills: int):
    from awaitlings.testing.celery import CeleryWorker

    import chaos

    workers: list[CeleryWorker] = []

    def start_worker(name: str) -> CeleryWorker:
        worker = CeleryWorker("config", queues=[chaos.QUEUE], concurrency=1, name=f"{kind}-{name}",
                              cwd=folder, env={**env, "PYTHONPATH": str(folder)})
        workers.append(worker)
        return worker.__enter__()

    try:
        return chaos.drill(start_worker, orders=orders, kills=kills, timeout=30 + orders * 0.5)
    finally:
        for worker in workers:
            worker.stop(grace=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.06, help="seconds per provider call")
    parser.add_argument("--solutions", action="store_true", help="compare with the reference, not your files")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="lesson14-bench-"))
    redis = None
    if not os.environ.get("REDIS_URL"):
        from awaitlings.testing.redis_server import RedisServer

        redis = RedisServer(workdir=scratch).start()
        os.environ["REDIS_URL"] = redis.url
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    env = {"REDIS_URL": os.environ["REDIS_URL"], "DATABASE_URL": os.environ["DATABASE_URL"],
           "CELERY_VISIBILITY_TIMEOUT": "1", "CELERY_UNACKED_RESTORE_INTERVAL": "1",
           "PROVIDER_LATENCY": str(args.latency), "PAYMENTS_RETRY_BACKOFF_MAX": "0"}
    os.environ.update(env)
    sys.path.insert(0, str(HERE))
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        mine = "solutions" if args.solutions else "yours"
        results = {}
        for kind in ("naive", mine):
            results[kind] = run(kind, overlay(kind, scratch / kind), env, args.orders, args.kills)
            print(f"{kind:>9}: {results[kind].summary()}", flush=True)
        naive, good = results["naive"], results[mine]
        print()
        print(f"| settings and charge | orders | worker kills | charged once | charged twice | lost |")
        print(f"|---|---|---|---|---|---|")
        for label, r in (("naive (seed: early acks, check-then-act)", naive), (mine, good)):
            print(f"| {label} | {r.orders} | {r.kills} | {r.charged_once} | {len(r.charged_twice)} | {len(r.lost)} |")
    finally:
        if redis is not None:
            redis.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
