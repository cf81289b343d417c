"""Benchmark `awaitlings grade` on synthetic submissions of lessons 01 and 05.

    .venv/bin/python checker/bench_grade.py [--submissions 40] [--lessons 01 05] [--json FILE]

Makes N learners' copies from the course's own solutions and starters: correct ones, partly wrong
ones (some exercises left as the starter), and hostile ones (import-time fork bomb, memory hog,
os._exit, endless loop, patched pytest reports, forged report lines, writes over the tests, a test
that skips itself). Every copy differs by a comment, so none is graded from another's result.

Then, on this machine, one after another:
  jobs2   `--jobs 2`, no cache                    (run twice, before and after the others: the
  jobs1   `--jobs 1`, no cache                     machine is shared, so the mean of the two is
  celery  two local Celery workers, no cache       compared with jobs1 and celery)
  jobs2   again
  cached  the same batch again, all from the cache
and prints: the median time per (submission, lesson) for each lesson (from the jobs1 run, where jobs
don't compete for the CPU), the jobs1/jobs2 speed-up, celery vs local, the cached re-grade time, and
whether the backends agree."""

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--lessons", nargs="*", default=["01", "05"])
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--no-celery", action="store_true")
    args = parser.parse_args(argv)

    from awaitlings.course import Course
    from awaitlings.grading.execute import comparable

    course = Course()
    lessons = [course.lesson(name) for name in args.lessons]
    work = Path(tempfile.mkdtemp(prefix="awaitlings-bench-"))
    figures: dict = {"submissions": args.submissions, "lessons": [l.slug for l in lessons],
                     "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    try:
        folders = make_submissions(course, lessons, args.submissions, work / "subs")
        jobs = len(folders) * len(lessons)
        print(f"{len(folders)} submissions × {len(lessons)} lessons = {jobs} jobs; load {os.getloadavg()[0]:.1f}",
              flush=True)

        runs = {}
        b2a, t2a = timed_batch(course, folders, lessons, work / "jobs2a", jobs=2)
        print(f"jobs2 (1st): {t2a:.1f} s", flush=True)
        b1, t1 = timed_batch(course, folders, lessons, work / "jobs1", jobs=1)
        print(f"jobs1:       {t1:.1f} s", flush=True)
        runs["jobs1"], runs["jobs2a"] = b1, b2a
        tc = None
        if not args.no_celery and shutil.which("redis-server"):
            workers = Workers(course.root)
            try:
                workers.warm(course, folders, lessons, work / "warm")
                bc, tc = timed_batch(course, folders, lessons, work / "celery", backend="celery", broker=workers.url)
                print(f"celery:      {tc:.1f} s", flush=True)
                runs["celery"] = bc
            finally:
                workers.close()
        b2b, t2b = timed_batch(course, folders, lessons, work / "jobs2b", jobs=2, cache_dir=work / "cache")
        print(f"jobs2 (2nd): {t2b:.1f} s", flush=True)
        bcached, tcached = timed_batch(course, folders, lessons, work / "jobs2b", jobs=2, cache_dir=work / "cache")
        print(f"cached:      {tcached:.1f} s ({bcached.cached} of {jobs} from the cache)", flush=True)

        t2 = (t2a + t2b) / 2
        for lesson in lessons:
            times = [r["elapsed"] for (s, slug), r in b1.results.items() if slug == lesson.slug]
            times2 = [r["elapsed"] for (s, slug), r in b2a.results.items() if slug == lesson.slug]
            clean = [r["elapsed"] for (s, slug), r in b1.results.items() if slug == lesson.slug and not r["flags"]]
            figures[f"median_{lesson.slug}"] = round(statistics.median(times), 2)
            figures[f"median_{lesson.slug}_unflagged"] = round(statistics.median(clean), 2) if clean else None
            figures[f"median_{lesson.slug}_jobs2"] = round(statistics.median(times2), 2)
        figures.update({
            "jobs1_s": round(t1, 1), "jobs2_s": round(t2, 1), "jobs2_runs_s": [round(t2a, 1), round(t2b, 1)],
            "speedup_jobs2_vs_jobs1": round(t1 / t2, 2),
            "throughput_jobs2_s_per_job": round(t2 / jobs, 2),
            "cached_regrade_s": round(tcached, 2),
            "load_after": os.getloadavg(),
        })
        reference = {key: comparable(r) for key, r in b2a.results.items()}
        for name, batch in runs.items():
            figures[f"differs_from_jobs2_{name}"] = sorted(
                f"{s}/{l}" for (s, l), r in batch.results.items() if comparable(r) != reference[(s, l)])
        if tc:
            figures.update({"celery_s": round(tc, 1), "celery_vs_jobs2": round(tc / t2, 2)})
        print(json.dumps(figures, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
