"""A check splits a lesson over its processes by how long each exercise takes: before a learner has a
history, by the course's typical figures (checker/record_durations.py measures them)."""

from __future__ import annotations

from awaitlings import typical_durations
from awaitlings.cli import _durations
from awaitlings.course import Course
from awaitlings.progress import Progress
from awaitlings.runner import balanced_groups
from awaitlings.targets import LEARNER, SOLUTIONS, STARTER

from .conftest import REPO


def test_every_exercise_of_the_course_has_typical_figures_for_both_targets():
    missing = [f"{lesson.slug}/{ex.id} ({target})"
               for lesson in Course(REPO).lessons for target in (STARTER, SOLUTIONS)
               for ex in lesson.exercises if ex.id not in typical_durations.for_lesson(lesson.slug, target)]
    assert not missing, ("no typical durations for " + ", ".join(missing)
                         + ": run `.venv/bin/python checker/record_durations.py NN` on a quiet machine")


def test_the_slowest_exercises_go_to_different_processes():
    figures = {"ex01": 0.5, "ex02": 0.1, "ex03": 0.6, "ex04": 0.2}
    assert balanced_groups(list(figures), figures, 2) == [["ex02", "ex03"], ["ex01", "ex04"]]
    # Without figures every exercise counts the same, in order: the two slow ones would share a process.
    assert balanced_groups(list(figures), {}, 2) == [["ex01", "ex03"], ["ex02", "ex04"]]


def test_the_learners_own_history_comes_before_the_typical_figures():
    course = Course(REPO)
    lesson = course.lesson("01")
    progress = Progress(course)
    typical = typical_durations.for_lesson(lesson.slug, STARTER)
    ex = lesson.exercises[0]
    progress.data["exercises"] = {ex.key: {"seconds": 9.5}}  # in memory only: nothing is saved
    assert _durations(lesson, LEARNER, progress) == {**typical, ex.id: 9.5}
    # The learner's history is of their own files: a check of another target goes by the typical figures.
    assert _durations(lesson, STARTER, progress) == typical
    assert _durations(lesson, SOLUTIONS, progress) == typical_durations.for_lesson(lesson.slug, SOLUTIONS)
