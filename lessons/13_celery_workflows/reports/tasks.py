"""Course-owned tasks of the report pipeline: the seed's build_dataset → render_pdf → upload_storage.

The "PDF" is a small text file and the "storage" a folder (settings.STORAGE_ROOT), so that you, the
tests and the notebook can open what a worker produced. Each task is short (tens of milliseconds).
Every argument and every return value is JSON: that is all a message between processes can carry.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

from celery import group, shared_task
from django.conf import settings

BUILD_SECONDS = 0.1  # one dataset's "query"


def trace(event: dict) -> None:
    """Append what a task did to settings.TRACE_FILE (one JSON line): the tests read who ran what, when."""
    path = Path(settings.TRACE_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(event) + "\n")


# --8<-- [start:pipeline]
@shared_task
def build_dataset(params: dict) -> dict:
    """The rows of one report: `params` is {"day": "2025-10-20"} or {"range": "yesterday"}."""
    label = str(params.get("day") or params.get("range") or "all")
    if label.startswith("broken"):
        raise ValueError(f"no sales data for {label!r}")
    started = time.time()
    time.sleep(BUILD_SECONDS)
    seed = sum(map(ord, label))
    rows = [{"item": f"item-{i}", "sold": (seed * (i + 3)) % 20} for i in range(3)]
    trace({"task": "build_dataset", "label": label, "pid": os.getpid(), "started": started, "ended": time.time()})
    return {"label": label, "rows": rows}


@shared_task
def render_pdf(dataset: dict | list[dict], template: str) -> dict:
    """Render one dataset, or a list of them (a chord's results, in order), into one file."""
    datasets = dataset if isinstance(dataset, list) else [dataset]
    lines = [f"%PDF-awaitlings template={template}"]
    for data in datasets:
        total = sum(row["sold"] for row in data["rows"])
        lines.append(f"== {data['label']}: {total} sold")
        lines += [f"   {row['item']}: {row['sold']}" for row in data["rows"]]
    path = Path(settings.RENDER_DIR) / f"{uuid.uuid4().hex}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    trace({"task": "render_pdf", "labels": [d["label"] for d in datasets], "pid": os.getpid()})
    return {"file": str(path), "template": template, "labels": [d["label"] for d in datasets]}


@shared_task
def upload_storage(rendered: dict, path: str) -> str:
    """Put the rendered file into the storage at `path` (e.g. "daily/2025-10-20.pdf"); return `path`."""
    target = Path(settings.STORAGE_ROOT) / path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(rendered["file"], target)
    trace({"task": "upload_storage", "path": path, "pid": os.getpid()})
    return path
# --8<-- [end:pipeline]


@shared_task(bind=True)
def whoami(self) -> dict:
    """Which worker ran me, and from which queue (the routing key it was delivered with)."""
    return {"hostname": self.request.hostname, "routing_key": (self.request.delivery_info or {}).get("routing_key")}


@shared_task
def nap(seconds: float) -> int:
    """Sleep (the notebook's stand-in for I/O-bound work); return the pool process's pid."""
    time.sleep(seconds)
    return os.getpid()


# --8<-- [start:waits_inside]
@shared_task
def build_weekly(week: str, days: list[str]) -> str:
    """DON'T: a task that waits for other tasks. It holds a pool process while it waits, and when every
    process is such a waiter, the tasks they wait for can never start: a deadlock."""
    datasets = [build_dataset.delay({"day": day}) for day in days]
    # Celery refuses .get() inside a task (RuntimeError) unless told not to, for exactly this reason.
    results = [r.get(timeout=30, disable_sync_subtasks=False) for r in datasets]
    rendered = render_pdf(results, template="weekly.html")  # a plain call: runs here, in this process
    return upload_storage(rendered, path=f"weekly/{week}.pdf")
# --8<-- [end:waits_inside]


@shared_task
def build_weekly_guarded(days: list[str]) -> list[dict]:
    """The same mistake without silencing the guard: Celery raises RuntimeError at the .get()."""
    return group(build_dataset.s({"day": day}) for day in days).delay().get(timeout=30)
