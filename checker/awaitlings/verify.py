"""`awaitlings verify`: the course proves itself. Every lesson has its full anatomy, every solution
scores full marks, and every starter loses points on every exercise (a test that cannot fail is a defect)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from . import ui
from .course import Lesson
from .runner import LessonResult, run_lesson
from .targets import SOLUTIONS, STARTER, snapshot_drift, snapshot_path


def anatomy_problems(lesson: Lesson, strict: bool) -> list[str]:
    problems = []
    for need, path in (("README.md", lesson.path / "README.md"), ("tests/", lesson.path / "tests"),
                       ("a solution folder", lesson.solution_path), ("a notebook", lesson.notebook_path),
                       ("a starter snapshot", snapshot_path(lesson))):
        if not path.exists():
            problems.append(f"missing {need}: {path.relative_to(lesson.root)}")
    if not lesson.exercises:
        problems.append("lesson.toml lists no exercises")
    if (lesson.path / "tests" / "__init__.py").exists() or (lesson.path / "conftest.py").exists():
        # Either would put the lesson folder on sys.path and shadow the files under test.
        problems.append("tests/__init__.py or a lesson-level conftest.py must not exist (use tests/conftest.py)")
    for ex in lesson.exercises:
        if not ex.hints:
            problems.append(f"{ex.id}: no hints")
        for rel in ex.tests:
            if not (lesson.path / rel).is_file():
                problems.append(f"{ex.id}: missing test file {rel}")
        for rel in ex.files:
            if not (lesson.path / rel).is_file():
                problems.append(f"{ex.id}: missing starter {rel}")
            if not (lesson.solution_path / rel).is_file():
                problems.append(f"{ex.id}: missing solution solutions/{lesson.slug}/{rel}")
    drift = snapshot_drift(lesson) if snapshot_path(lesson).exists() else []
    if drift and strict:
        problems.append(f"starter snapshot is stale for {', '.join(drift)}: run `awaitlings snapshot {lesson.number}`")
    return problems


def grade_problems(solution: LessonResult, starter: LessonResult) -> list[str]:
    problems = []
    if solution.problem:
        problems.append("solutions could not run:\n" + ui.indent(solution.problem))
    for ex_result in solution.exercises:
        if not ex_result.passed:
            failure = ex_result.first_failure
            why = ex_result.problem or (failure.message if failure else "skipped")
            problems.append(f"solution of {ex_result.exercise.id} scores {ex_result.score:g}/{ex_result.max_score:g}: "
                            + why.strip().splitlines()[0][:300])
    for test in solution.course_tests:
        if test.outcome == "failed":
            problems.append(f"lesson example test {test.name} fails: " + test.message.strip().splitlines()[0][:300])
    for ex_result in starter.exercises:
        if ex_result.score >= ex_result.max_score and not ex_result.skipped:
            problems.append(f"starter of {ex_result.exercise.id} already scores full marks: its tests cannot fail")
    return problems


def verify(lessons: list[Lesson], jobs: int = 1, strict: bool = False) -> int:
    strict = strict or os.environ.get("CI", "").lower() in ("1", "true", "yes")
    runs = [(lesson, target) for lesson in lessons for target in (SOLUTIONS, STARTER)]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda pair: run_lesson(*pair, course_tests=pair[1] == SOLUTIONS), runs))
    by_lesson = {(r.lesson.slug, r.target): r for r in results}
    failed = 0
    for lesson in lessons:
        solution, starter = by_lesson[(lesson.slug, SOLUTIONS)], by_lesson[(lesson.slug, STARTER)]
        problems = anatomy_problems(lesson, strict) + grade_problems(solution, starter)
        skipped = [e.exercise.id for e in solution.exercises if e.skipped]
        mark = ui.CROSS if problems else ui.TICK
        print(f"{mark} {lesson.slug:<34} solutions {solution.score:g}/{solution.max_score:g} · "
              f"starters {starter.score:g}/{starter.max_score:g} · {solution.elapsed + starter.elapsed:.1f} s")
        for problem in problems:
            print(ui.indent(ui.red(problem), "    "))
        if skipped:
            print(ui.indent(ui.yellow(f"skipped (service missing): {', '.join(skipped)}"), "    "))
        failed += bool(problems)
    print(f"\n{len(lessons) - failed}/{len(lessons)} lessons verified")
    return 1 if failed else 0
