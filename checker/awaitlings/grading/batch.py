"""A grading run: plan the (submission, lesson) jobs, answer what the cache knows, grade each distinct
hand-in once on the chosen backend, and write the gradebook."""

from __future__ import annotations

import copy
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..course import Course, Lesson
from . import cache, submissions as subs
from .backends import CeleryBackend, LocalBackend
from .execute import Grader
from .gradebook import write_gradebook
from .progressbar import GradeProgress
from .sandbox import Limits, detect


@dataclass
class BatchOptions:
    jobs: int = 2
    backend: str = "local"  # local | celery
    broker: str = ""
    sandbox: str = "auto"
    limits: Limits = field(default_factory=Limits)
    cache_dir: Path | None = None  # None: no cache
    quiet: bool = False
    workdir: Path | None = None


@dataclass
class BatchResult:
    results: dict  # (submission name, lesson slug) -> result
    submissions: list
    lessons: list
    elapsed: float
    ran: int
    cached: int
    deduplicated: int
    warnings: list[str]

    @property
    def infra_errors(self) -> int:
        return sum("infra-error" in r["flags"] for r in self.results.values())


def grade_batch(course: Course, paths: list, lessons: list[Lesson], out: Path, options: BatchOptions) -> BatchResult:
    started = time.perf_counter()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    found = subs.discover(paths)
    store = cache.ResultCache(options.cache_dir)
    info = detect(options.sandbox)
    warnings = list(info.warnings)
    grader = None
    if options.backend == "local":
        hide = [out, *([options.cache_dir] if options.cache_dir else []), *(s.path for s in found)]
        grader = Grader(course, options.limits, sandbox=options.sandbox, workdir=options.workdir, hide=hide)
    key_options = {"limits": options.limits.as_dict(), "sandbox": options.sandbox}
    if grader:
        warnings = list(grader.info.warnings)

    # Plan: every (submission, lesson), keyed by content.
    starters = {lesson.slug: subs.starters_of(lesson) for lesson in lessons}
    prints = {lesson.slug: cache.lesson_fingerprint(lesson) for lesson in lessons}
    planned: list[tuple[str, str, dict]] = []  # (submission, lesson, job)
    for sub in found:
        for lesson in lessons:
            handed_in = subs.lesson_files(lesson, sub.path, starters[lesson.slug])
            job = {
                "submission": sub.name, "lesson": lesson.slug, "files": handed_in.files, "notes": handed_in.notes,
                "lesson_fingerprint": prints[lesson.slug], "max_score": lesson.max_score,
                "options": {"limits": options.limits.as_dict(), "sandbox": options.sandbox},
            }
            job["key"] = cache.job_key(prints[lesson.slug], handed_in.files, key_options)
            planned.append((sub.name, lesson.slug, job))

    results: dict[tuple[str, str], dict] = {}
    by_key: dict[str, list[dict]] = {}
    hits = 0
    progress = GradeProgress(len(planned), quiet=options.quiet)
    with progress:
        for warning in warnings:
            progress.note(f"warning: {warning}")
        for sub_name, slug, job in planned:
            hit = store.get(job["key"])
            if hit is not None and (grader is None or hit.get("sandbox") == grader.mode):
                results[(sub_name, slug)] = _for(hit, job)
                hits += 1
                progress.finished(results[(sub_name, slug)], cached=True)
            else:
                by_key.setdefault(job["key"], []).append(job)
        unique = longest_first([group[0] for group in by_key.values()], lessons, store)

        def on_result(job: dict, result: dict) -> None:
            store.put(job["key"], result)
            for same in by_key[job["key"]]:
                mine = _for(result, same)
                results[(same["submission"], same["lesson"])] = mine
                progress.finished(mine)

        if unique:
            if options.backend == "celery":
                CeleryBackend(options.broker, options.limits.wall, progress.note).run(unique, on_result)
            else:
                LocalBackend(grader, options.jobs).run(unique, on_result)
    if grader:
        grader.close()

    elapsed = time.perf_counter() - started
    batch = BatchResult(results=results, submissions=found, lessons=lessons, elapsed=elapsed, ran=len(unique),
                        cached=hits, deduplicated=len(planned) - hits - len(unique), warnings=warnings)
    write_gradebook(out, course, found, lessons, results, run_info(course, lessons, options, info.mode, batch))
    return batch


def longest_first(jobs: list[dict], lessons: list[Lesson], store) -> list[dict]:
    """Slow lessons first, so that the last jobs of a batch are short ones and no worker idles long at
    the end. A lesson's cost: the median time of its results in this batch's cache when there are any,
    else the sum of its exercises' time limits."""
    import statistics

    def cost(lesson: Lesson) -> float:
        seen = [store.get(job["key"]) for job in jobs if job["lesson"] == lesson.slug][:20]
        times = [r["elapsed"] for r in seen if r]
        return statistics.median(times) if times else sum(ex.time_limit for ex in lesson.exercises)

    order = {lesson.slug: rank for rank, lesson in enumerate(sorted(lessons, key=cost, reverse=True))}
    return sorted(jobs, key=lambda job: order.get(job["lesson"], 0))


def _for(result: dict, job: dict) -> dict:
    """A result (perhaps of an identical hand-in, perhaps cached) as this job's own."""
    mine = copy.deepcopy(result)
    mine["submission"] = job["submission"]
    mine["notes"] = job["notes"]
    # Flags about the hand-in itself belong to this submission, not to the one graded first.
    details = {k: v for k, v in mine["flag_details"].items() if k not in ("missing-files", "refused-files")}
    missing = [rel for rel, why in job["notes"].items() if why == "missing"]
    refused = [f"{rel} ({why})" for rel, why in job["notes"].items() if why != "missing"]
    if missing:
        details["missing-files"] = ", ".join(missing)
    if refused:
        details["refused-files"] = ", ".join(refused)
    mine["flag_details"] = details
    mine["flags"] = sorted(details)
    return mine


def run_info(course: Course, lessons: list[Lesson], options: BatchOptions, mode: str, batch: BatchResult) -> dict:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "-"

    return {
        "course": str(course.root),
        "lessons": {lesson.slug: cache.lesson_fingerprint(lesson) for lesson in lessons},
        "checker": cache.checker_fingerprint(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": {name: version(name) for name in ("awaitlings", "pytest", "pytest-asyncio", "django", "celery")},
        "backend": options.backend,
        "jobs": options.jobs,
        "sandbox": mode,
        "limits": options.limits.as_dict(),
        "submissions": len(batch.submissions),
        "jobs_total": len(batch.results),
        "jobs_run": batch.ran,
        "jobs_cached": batch.cached,
        "jobs_deduplicated": batch.deduplicated,
        "elapsed": round(batch.elapsed, 2),
        "warnings": batch.warnings,
        "cpus": os.cpu_count(),
    }
