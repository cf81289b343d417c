"""Measure how long each exercise's tests take, on the starters and on the solutions, and write
checker/awaitlings/typical_durations.json (what a check uses to split a lesson over its processes
before the learner has a history). Run it on a quiet machine after changing a lesson's tests:

    .venv/bin/python checker/record_durations.py            # every lesson
    .venv/bin/python checker/record_durations.py 06 17      # these lessons; the others keep their figures
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from awaitlings import warm  # noqa: E402
from awaitlings.course import Course  # noqa: E402
from awaitlings.runner import run_lesson  # noqa: E402
from awaitlings.targets import SOLUTIONS, STARTER  # noqa: E402
from awaitlings.typical_durations import FILE, kind_of  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: every lesson)")
    parser.add_argument("--runs", type=int, default=3, help="runs per target; the median is kept")
    args = parser.parse_args()
    course = Course()
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    launch = warm.launcher(warm.start(course.root))
    figures = json.loads(FILE.read_text(encoding="utf-8")) if FILE.exists() else {}
    for lesson in lessons:
        seen: dict[str, dict[str, list[float]]] = {}
        for target in (STARTER, SOLUTIONS):
            kind = kind_of(target)
            for _ in range(args.runs):
                # As a learner's check reads them: each test's time up to its own fixtures' teardown, not the
                # session's clean-up after the last one (which a check leaves to the background).
                result = run_lesson(lesson, target, launch=launch, background_cleanup=True)
                for ex in result.exercises:
                    seen.setdefault(ex.exercise.id, {}).setdefault(kind, []).append(ex.seconds)
        figures[lesson.slug] = {ex_id: {kind: round(statistics.median(times), 2) for kind, times in kinds.items()}
                                for ex_id, kinds in seen.items()}
        print(lesson.slug, figures[lesson.slug], flush=True)
    FILE.write_text(json.dumps(dict(sorted(figures.items())), indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {FILE.relative_to(course.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
