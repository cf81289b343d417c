"""The Celery side of `--backend celery`: one task per (submission, lesson), on a Redis broker.

A worker (`awaitlings grade-worker --broker URL`) runs on any machine with the course installed: it
grades each job exactly as the local backend does (same Grader, same sandbox) against its own copy of
the course, after checking that copy's fingerprint matches the instructor's. Jobs carry the submitted
files' text, so workers need no access to the submissions.

Reliability: acks_late + reject_on_worker_lost (a worker killed mid-job gives the job back),
prefetch 1 (a slow job never holds others hostage), JSON only."""

from __future__ import annotations

import os
import socket
import threading

from celery import Celery

QUEUE = "awaitlings-grade"
TASK = "awaitlings.grade"

app = Celery("awaitlings-grade")


def configure(broker: str) -> Celery:
    app.conf.update(
        broker_url=broker,
        result_backend=broker,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 6 * 3600},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_track_started=False,
    )
    return app


_graders: dict = {}
_graders_lock = threading.Lock()


def _grader(job: dict):
    from ..course import Course
    from .execute import Grader
    from .sandbox import Limits

    options = job.get("options", {})
    key = (json_key(options.get("limits", {})), options.get("sandbox", "auto"))
    with _graders_lock:
        if key not in _graders:
            _graders[key] = Grader(Course(), Limits(**options.get("limits", {})), sandbox=options.get("sandbox", "auto"))
        return _graders[key]


def json_key(value) -> str:
    import json

    return json.dumps(value, sort_keys=True)


@app.task(name=TASK, acks_late=True, reject_on_worker_lost=True)
def grade_task(job: dict) -> dict:
    result = _grader(job).grade(job)
    result["host"] = f"{socket.gethostname()}:{os.getpid()}"
    return result


def start_worker(broker: str, concurrency: int = 1, loglevel: str = "WARNING") -> None:
    configure(broker)
    name = f"awaitlings-{os.getpid()}@{socket.gethostname()}"
    argv = ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", "--pool=threads", "-Q", QUEUE,
            "-n", name, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    try:
        app.worker_main(argv)
    finally:
        for grader in _graders.values():
            grader.close()
