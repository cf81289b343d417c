"""Where jobs run: threads on this machine (`local`), or Celery workers anywhere (`celery`).

Both take a list of job dicts and call `on_result(job, result)` as results arrive, in any order."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from .execute import Grader, failed_job


class LocalBackend:
    name = "local"

    def __init__(self, grader: Grader, jobs: int = 2) -> None:
        self.grader = grader
        self.jobs = max(1, jobs)

    def run(self, jobs: list[dict], on_result) -> None:
        # Build every lesson's template (and manifest) before the jobs race for it.
        for slug in dict.fromkeys(job["lesson"] for job in jobs):
            self.grader.template(self.grader.course.lesson(slug))
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="grade") as pool:
            futures = {pool.submit(self.grader.grade, job): job for job in jobs}
            for future in as_completed(futures):
                on_result(futures[future], future.result())


class CeleryBackend:
    name = "celery"
    POLL = 0.05
    NO_WORKER_HINT = 20.0

    def __init__(self, broker: str, wall: float, progress_note=None) -> None:
        from . import celery_app

        self.app = celery_app.configure(broker)
        self.task = celery_app.TASK
        self.queue = celery_app.QUEUE
        self.wall = wall
        self.note = progress_note or (lambda text: None)

    def run(self, jobs: list[dict], on_result) -> None:
        pending = {}
        for job in jobs:
            handle = self.app.send_task(self.task, args=[job], queue=self.queue)
            pending[handle.id] = (handle, job, time.monotonic())
        last_progress = time.monotonic()
        hinted = False
        while pending:
            finished = []
            for task_id, (handle, job, sent) in pending.items():
                if handle.ready():
                    if handle.successful():
                        result = handle.result
                    else:
                        result = failed_job(job, "infra-error", f"the Celery task failed: {handle.result!r}",
                                            "unknown", time.perf_counter())
                    finished.append(task_id)
                    on_result(job, result)
                    handle.forget()
            for task_id in finished:
                pending.pop(task_id)
            now = time.monotonic()
            if finished:
                last_progress = now
            elif not hinted and now - last_progress > self.NO_WORKER_HINT:
                hinted = True
                self.note(f"no result for {self.NO_WORKER_HINT:.0f} s: is a worker running? "
                          "Start one with `awaitlings grade-worker --broker URL` on a machine with the course.")
            time.sleep(self.POLL)
