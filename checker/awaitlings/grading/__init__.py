"""Instructor grading: `awaitlings grade`, `awaitlings grade-worker`, `awaitlings gradescope`,
`awaitlings classroom`. The modules, in the order a job meets them:

    submissions.py  find submissions, read only their editable files (no links, no binaries)
    cache.py        content hashes: job keys, the result cache
    manifest.py     the trusted list of a lesson's tests (and which are hidden)
    workspace.py    the staged, read-only course a job runs in
    sandbox.py      namespaces, limits, a per-job uid, wall clock: the `launch` for run_lesson
    jail.py         the first code inside the sandbox (mounts, loopback, rlimits, drop privileges)
    guard.py        in-process pytest plugin: canary, patch detection, audit hook
    integrity.py    signed report lines, verified outside the sandbox
    execute.py      one job: stage, run, score against the manifest, flag
    backends.py     threads here, or Celery workers anywhere (celery_app.py)
    batch.py        plan, cache, dedupe, dispatch
    gradebook.py    grades.csv, results.json, tests.csv, report.md
    progressbar.py  the progress bar
    exports.py      Gradescope autograder zip, GitHub Classroom workflow

This module only holds the command-line entry points, and imports the rest lazily."""

from __future__ import annotations

import sys
from pathlib import Path


def _limits(args):
    from .sandbox import Limits

    base = Limits()
    return Limits(
        wall=args.wall if args.wall is not None else base.wall,
        memory_mb=args.memory if args.memory is not None else base.memory_mb,
        processes=args.processes if args.processes is not None else base.processes,
    )


def grade_command(args) -> int:
    from ..course import Course
    from .batch import BatchOptions, grade_batch

    course = Course()
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    out = Path(args.out)
    if args.backend == "celery" and not args.broker:
        print("--backend celery needs --broker redis://HOST:PORT/DB", file=sys.stderr)
        return 2
    cache_dir = None if args.no_cache else Path(args.cache or out / ".cache")
    options = BatchOptions(jobs=args.jobs, backend=args.backend, broker=args.broker or "", sandbox=args.sandbox,
                           limits=_limits(args), cache_dir=cache_dir, quiet=args.quiet)
    batch = grade_batch(course, args.submissions, lessons, out, options)
    flagged = sum(bool(r["flags"]) for r in batch.results.values())
    print(f"Graded {len(batch.submissions)} submissions × {len(lessons)} lessons in {batch.elapsed:.1f} s "
          f"({batch.ran} run, {batch.cached} cached, {batch.deduplicated} identical) · {flagged} flagged "
          f"· {out / 'grades.csv'}  {out / 'report.md'}")
    return 1 if batch.infra_errors else 0


def grade_worker_command(args) -> int:
    from .celery_app import start_worker

    start_worker(args.broker, concurrency=args.concurrency, loglevel=args.loglevel)
    return 0


def gradescope_command(args) -> int:
    from ..course import Course
    from .exports import build_gradescope_zip

    course = Course()
    lesson = course.lesson(args.lesson)
    path = build_gradescope_zip(course, lesson, Path(args.out) if args.out else None)
    print(f"Gradescope autograder for {lesson.slug}: {path}")
    print("Upload it as the assignment's autograder (Ubuntu 22.04 base image); learners submit their lesson files "
          "or their whole clone.")
    return 0


def classroom_command(args) -> int:
    from ..course import Course
    from .exports import classroom_workflow

    course = Course()
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    text = classroom_workflow(lessons)
    if args.out == "-":
        print(text, end="")
        return 0
    path = Path(args.out or course.root / ".github" / "workflows" / "classroom.yml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}: GitHub Classroom runs the public tests of {len(lessons)} lesson(s) on every push")
    return 0


def gradescope_run_command(argv: list[str] | None = None) -> int:
    """Entry point of the Gradescope `run_autograder` (python -m awaitlings.grading.gradescope)."""
    from .exports import run_on_gradescope

    return run_on_gradescope(argv)
