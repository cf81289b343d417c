"""`awaitlings verify`: the course proves itself. Every lesson has its full anatomy, every solution
scores full marks, and every starter scores 0 on every exercise (a test that cannot fail is a defect, and
so is one an untouched starter passes by accident).
Every lesson also ships its Korean edition (한국어판): README.ko.md with the same code snippets as
README.md, and the Korean keys of lesson.toml."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import ui
from .course import Lesson
from .i18n import _
from .runner import LessonResult, run_lesson
from .targets import SOLUTIONS, STARTER, snapshot_drift, snapshot_path

# A pymdownx.snippets include line: `--8<-- "path:section"` (any indentation, in or out of a block).
SNIPPET = re.compile(r'^\s*-{1,}8<-{1,}\s+"[^"]+"\s*$')


def snippet_lines(page: Path) -> set[str]:
    """The snippet include lines of a page, without their indentation."""
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return set()
    return {line.strip() for line in text.splitlines() if SNIPPET.match(line)}


# Lessons whose Korean edition is still being written (shrinks to empty; never add to it).
KOREAN_PENDING: set[str] = set()


def korean_problems(lesson: Lesson) -> list[str]:
    """What the Korean edition of `lesson` lacks: its page, the same code as the English page, Korean keys."""
    problems = []
    english, korean = lesson.page("en"), lesson.page("ko")
    if not korean.is_file():
        problems.append(_("missing the Korean page: {path}").format(path=korean.relative_to(lesson.root)))
    elif english.is_file():
        ours, theirs = snippet_lines(korean), snippet_lines(english)
        for line in sorted(theirs - ours):
            problems.append(_("README.ko.md lacks the snippet of README.md: {line}").format(line=line))
        for line in sorted(ours - theirs):
            problems.append(_("README.ko.md includes a snippet README.md does not: {line}").format(line=line))
    if not lesson.title_ko:
        problems.append(_("lesson.toml: no title_ko"))
    if len(lesson.objectives_ko) != len(lesson.objectives):
        problems.append(_("lesson.toml: objectives_ko has {got} items, objectives {want}").format(
            got=len(lesson.objectives_ko), want=len(lesson.objectives)))
    if lesson.run and lesson.run.get("description") and not lesson.run.get("description_ko"):
        problems.append(_("lesson.toml: [run] has no description_ko"))
    for ex in lesson.exercises:
        if not ex.title_ko:
            problems.append(_("{exercise}: no title_ko").format(exercise=ex.id))
        if len(ex.hints_ko) != len(ex.hints):
            problems.append(_("{exercise}: hints_ko has {got} hints, hints {want}").format(
                exercise=ex.id, got=len(ex.hints_ko), want=len(ex.hints)))
    return problems


def anatomy_problems(lesson: Lesson, strict: bool) -> list[str]:
    problems = []
    for need, path in (("README.md", lesson.path / "README.md"), ("tests/", lesson.path / "tests"),
                       (_("a solution folder"), lesson.solution_path), (_("a notebook"), lesson.notebook_path),
                       (_("a starter snapshot"), snapshot_path(lesson))):
        if not path.exists():
            problems.append(_("missing {what}: {path}").format(what=need, path=path.relative_to(lesson.root)))
    if not lesson.exercises:
        problems.append(_("lesson.toml lists no exercises"))
    if (lesson.path / "tests" / "__init__.py").exists() or (lesson.path / "conftest.py").exists():
        # Either would put the lesson folder on sys.path and shadow the files under test.
        problems.append(_("tests/__init__.py or a lesson-level conftest.py must not exist (use tests/conftest.py)"))
    for ex in lesson.exercises:
        if not ex.hints:
            problems.append(_("{exercise}: no hints").format(exercise=ex.id))
        for rel in ex.tests:
            if not (lesson.path / rel).is_file():
                problems.append(_("{exercise}: missing test file {file}").format(exercise=ex.id, file=rel))
        for rel in ex.files:
            if not (lesson.path / rel).is_file():
                problems.append(_("{exercise}: missing starter {file}").format(exercise=ex.id, file=rel))
            if not (lesson.solution_path / rel).is_file():
                problems.append(_("{exercise}: missing solution {file}").format(
                    exercise=ex.id, file=f"solutions/{lesson.slug}/{rel}"))
    drift = snapshot_drift(lesson) if snapshot_path(lesson).exists() else []
    if drift and strict:
        problems.append(_("starter snapshot is stale for {files}: run `awaitlings snapshot {number}`").format(
            files=", ".join(drift), number=lesson.number))
    return problems + ([] if lesson.slug in KOREAN_PENDING else korean_problems(lesson))


def grade_problems(solution: LessonResult, starter: LessonResult) -> list[str]:
    problems = []
    if solution.problem:
        problems.append(_("solutions could not run:") + "\n" + ui.indent(solution.problem))
    for ex_result in solution.exercises:
        if not ex_result.passed:
            failure = ex_result.first_failure
            why = ex_result.problem or (failure.message if failure else _("skipped"))
            problems.append(_("solution of {exercise} scores {score}: ").format(
                exercise=ex_result.exercise.id, score=f"{ex_result.score:g}/{ex_result.max_score:g}")
                + why.strip().splitlines()[0][:300])
    for test in solution.course_tests:
        if test.outcome == "failed":
            problems.append(_("lesson example test {name} fails: ").format(name=test.name)
                            + test.message.strip().splitlines()[0][:300])
    for ex_result in starter.exercises:
        if ex_result.skipped:
            continue
        if ex_result.score >= ex_result.max_score:
            problems.append(_("starter of {exercise} already scores full marks: its tests cannot fail").format(
                exercise=ex_result.exercise.id))
        elif ex_result.score > 0:
            # A learner who has not typed a thing must see 0: put the test behind a precondition (the
            # exercise's basic behaviour, with the main test's message) or merge it into the test it needs.
            passed = [t.name for t in ex_result.tests if t.outcome == "passed"]
            problems.append(_("starter of {exercise} scores {score}: a pristine starter must score 0 — "
                              "a test passes by accident").format(
                exercise=ex_result.exercise.id, score=f"{ex_result.score:g}/{ex_result.max_score:g}")
                + (f" ({', '.join(passed)})" if passed else ""))
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
        print(f"{mark} {lesson.slug:<34} " + _("solutions {solutions} · starters {starters} · {seconds} s").format(
            solutions=f"{solution.score:g}/{solution.max_score:g}", starters=f"{starter.score:g}/{starter.max_score:g}",
            seconds=f"{solution.elapsed + starter.elapsed:.1f}"))
        for problem in problems:
            print(ui.indent(ui.red(problem), "    "))
        if skipped:
            print(ui.indent(ui.yellow(_("skipped (service missing): {exercises}").format(exercises=", ".join(skipped))),
                            "    "))
        failed += bool(problems)
    print("\n" + _("{verified}/{total} lessons verified").format(verified=len(lessons) - failed, total=len(lessons)))
    return 1 if failed else 0
