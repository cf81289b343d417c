"""Benchmark `awaitlings grade` on synthetic submissions of lessons 01 and 05.

    .venv/bin/python checker/bench_grade.py [--submissions 40] [--lessons 01 05] [--json FILE]

Makes N learners' copies from the course's own solutions and starters: correct ones, partly wrong
ones (some exercises left as the starter), and hostile ones (import-time fork bomb, memory hog,
os._exit, endless loop, patched pytest reports, forged report lines, writes over the tests, a test
that skips itself). Every copy differs by a comment, so none is graded from another's result.

Then, on a frozen copy of the course (lesson authors may be editing the real one), in mirrored order
because the machine is shared and its load drifts:
  jobs2   `--jobs 2`, no cache
  jobs1   `--jobs 1`, no cache
  celery  two local Celery workers (concurrency 1 each, warmed up), no cache
  jobs1   again
  jobs2   again (filling the cache)
  cached  the same batch again, all from the cache
and prints: the median time per (submission, lesson) for each lesson (from the jobs1 runs, where
jobs don't compete with each other for the CPU), the jobs1/jobs2 speed-up (means of the mirrored
runs), celery vs local jobs2, the cached re-grade time, and which results differ between runs."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOSTILE = {
    "fork_bomb": "import os as _os\nwhile True:\n    _os.fork()\n",
    "memory_hog": "_hoard = bytearray(8 * 1024 ** 3)\n",
    "os_exit": "import os as _os\n_os._exit(0)\n",
    "endless_loop": "while True:\n    pass\n",
    "patch_reports": (
        "import _pytest.reports as _r\n_f = _r.TestReport.from_item_and_call.__func__\n"
        "def _p(cls, item, call):\n    rep = _f(cls, item, call)\n    rep.outcome = 'passed'\n    return rep\n"
        "_r.TestReport.from_item_and_call = classmethod(_p)\n"),
    "forged_lines": (
        "import os as _os\nfor _fd in range(3, 40):\n    try:\n"
        "        _os.write(_fd, b'\\n{\"event\": \"result\", \"outcome\": \"passed\"}\\n')\n"
        "    except OSError:\n        pass\nprint('14 passed in 0.01s')\n"),
    "overwrite_tests": (
        "from pathlib import Path as _P\nfor _t in (_P(__file__).parent / 'tests').glob('test_*.py'):\n    try:\n"
        "        _t.write_text('def test_x():\\n    pass\\n')\n    except OSError:\n        pass\n"),
    "skip_self": "import pytest as _pytest\n_pytest.skip('nothing here', allow_module_level=True)\n",
}


def make_submissions(course, lessons, count: int, into: Path, seed: int = 7) -> list[Path]:
    from awaitlings.grading.submissions import starters_of

    rng = random.Random(seed)
    kinds = ["correct"] * (count * 2 // 5) + ["partly wrong"] * (count * 2 // 5)
    kinds += ["hostile"] * (count - len(kinds))
    attacks = list(HOSTILE)
    folders = []
    for number, kind in enumerate(kinds):
        folder = into / f"learner{number:02d}-{kind.replace(' ', '-')}"
        attack = attacks[number % len(attacks)] if kind == "hostile" else None
        target_lesson = lessons[number % len(lessons)] if attack else None
        for lesson in lessons:
            starters = starters_of(lesson)
            for index, rel in enumerate(lesson.editable_files):
                text = (lesson.solution_path / rel).read_text()
                if kind == "partly wrong" and rng.random() < 0.5:
                    text = starters[rel]
                if lesson is target_lesson and index == number % len(lesson.editable_files):
                    text = HOSTILE[attack] + text
                dest = folder / "lessons" / lesson.slug / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(f"# {folder.name}\n{text}")
        folders.append(folder)
    return folders


def timed_batch(course, folders, lessons, out: Path, **options):
    from awaitlings.grading.batch import BatchOptions, grade_batch
    from awaitlings.grading.sandbox import Limits

    started = time.perf_counter()
    batch = grade_batch(course, folders, lessons, out,
                        BatchOptions(limits=Limits(wall=120), quiet=True, **options))
    return batch, time.perf_counter() - started


class Workers:
    """A private redis-server and two `awaitlings grade-worker` processes (concurrency 1 each)."""

    def __init__(self, course_root: Path) -> None:
        from awaitlings.testing import free_port, wait_for_port

        self.tmp = tempfile.mkdtemp(prefix="awaitlings-bench-redis-")
        port = free_port()
        self.redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", self.tmp],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(port, 10, process=self.redis)
        self.url = f"redis://127.0.0.1:{port}/0"
        env = {**os.environ, "AWAITLINGS_ROOT": str(course_root)}
        self.workers = [subprocess.Popen([sys.executable, "-m", "awaitlings.cli", "grade-worker", "--broker", self.url,
                                          "-c", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        for _ in range(2)]

    def warm(self, course, folders, lessons, out: Path) -> None:
        """One small batch first, so both workers have built their lesson templates (as a long-running
        worker pool would have); its time is not counted."""
        timed_batch(course, folders[:4], lessons, out, backend="celery", broker=self.url)

    def close(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.redis.terminate()
        self.redis.wait(10)
        shutil.rmtree(self.tmp, ignore_errors=True)


def snapshot_course(course, lessons, into: Path):
    """A frozen copy of the course for the benchmark: lesson authors may be editing the real one."""
    from awaitlings.course import Course

    (into / "checker" / "awaitlings" / "starters").mkdir(parents=True)
    shutil.copy2(course.root / "pyproject.toml", into / "pyproject.toml")
    for lesson in lessons:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3")
        shutil.copytree(lesson.path, into / "lessons" / lesson.slug, ignore=ignore)
        shutil.copytree(lesson.solution_path, into / "solutions" / lesson.slug, ignore=ignore)
        starter = course.root / "checker" / "awaitlings" / "starters" / f"{lesson.slug}.json"
        if starter.exists():
            shutil.copy2(starter, into / "checker" / "awaitlings" / "starters" / starter.name)
    copy = Course(into)
    return copy, [copy.lesson(lesson.slug) for lesson in lessons]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--lessons", nargs="*", default=["01", "05"])
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--no-celery", action="store_true")
    args = parser.parse_args(argv)

    from awaitlings.course import Course
    from awaitlings.grading.execute import comparable

    work = Path(tempfile.mkdtemp(prefix="awaitlings-bench-"))
    real = Course()
    course, lessons = snapshot_course(real, [real.lesson(name) for name in args.lessons], work / "course")
    figures: dict = {"submissions": args.submissions, "lessons": [l.slug for l in lessons],
                     "cpus": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()]}
    try:
        folders = make_submissions(course, lessons, args.submissions, work / "subs")
        jobs = len(folders) * len(lessons)
        print(f"{len(folders)} submissions × {len(lessons)} lessons = {jobs} jobs; load {os.getloadavg()[0]:.1f}",
              flush=True)
        runs: dict[str, list] = {"jobs1": [], "jobs2": [], "celery": []}
        times: dict[str, list[float]] = {"jobs1": [], "jobs2": [], "celery": []}

        def run(name: str, **options) -> None:
            batch, seconds = timed_batch(course, folders, lessons, work / f"{name}{len(runs[name])}", **options)
            runs[name].append(batch)
            times[name].append(seconds)
            print(f"{name:7s} {seconds:6.1f} s   load {os.getloadavg()[0]:.1f}", flush=True)

        # A B B A: the machine is shared and its load drifts; the means of mirrored runs cancel a steady drift.
        run("jobs2", jobs=2)
        run("jobs1", jobs=1)
        if not args.no_celery and shutil.which("redis-server"):
            workers = Workers(course.root)
            try:
                workers.warm(course, folders, lessons, work / "warm")
                run("celery", backend="celery", broker=workers.url)
            finally:
                workers.close()
        run("jobs1", jobs=1)
        run("jobs2", jobs=2, cache_dir=work / "cache")
        cached, tcached = timed_batch(course, folders, lessons, work / "cached", jobs=2, cache_dir=work / "cache")
        print(f"cached  {tcached:6.1f} s ({cached.cached} of {jobs} from the cache)", flush=True)

        t1, t2 = statistics.mean(times["jobs1"]), statistics.mean(times["jobs2"])
        for lesson in lessons:
            per_job = [r["elapsed"] for batch in runs["jobs1"] for (s, slug), r in batch.results.items()
                       if slug == lesson.slug]
            per_job2 = [r["elapsed"] for batch in runs["jobs2"] for (s, slug), r in batch.results.items()
                        if slug == lesson.slug]
            figures[f"median_{lesson.slug}_jobs1"] = round(statistics.median(per_job), 2)
            figures[f"median_{lesson.slug}_jobs2"] = round(statistics.median(per_job2), 2)
        figures.update({
            "jobs1_runs_s": [round(t, 1) for t in times["jobs1"]],
            "jobs2_runs_s": [round(t, 1) for t in times["jobs2"]],
            "speedup_jobs2_vs_jobs1": round(t1 / t2, 2),
            "throughput_jobs2_s_per_job": round(t2 / jobs, 2),
            "cached_regrade_s": round(tcached, 2),
            "load_after": [round(x, 2) for x in os.getloadavg()],
        })
        if times["celery"]:
            figures.update({"celery_s": round(times["celery"][0], 1),
                            "celery_vs_jobs2": round(times["celery"][0] / t2, 2)})
        reference = {key: comparable(r) for key, r in runs["jobs2"][0].results.items()}
        for name, batches in runs.items():
            for index, batch in enumerate(batches):
                figures[f"differs_from_first_jobs2_{name}{index}"] = sorted(
                    f"{s}/{l}: " + ", ".join(
                        f"{a[0].split('::')[-1]} {b[1]}→{a[1]}" for a, b in zip(comparable(r)["tests"],
                                                                           reference[(s, l)]["tests"]) if a != b)
                    for (s, l), r in batch.results.items() if comparable(r) != reference[(s, l)])
        figures["per_job_jobs1"] = sorted(
            [s, l, r["elapsed"], r["flags"]] for batch in runs["jobs1"][:1] for (s, l), r in batch.results.items())
        print(json.dumps({k: v for k, v in figures.items() if k != "per_job_jobs1"}, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
