"""The course on disk: where it is, its lessons, and what lesson.toml says about each.

`Lesson.meta` is lesson.toml as lessonfile.py validated it, every default filled in, so the
properties below read it without defaults of their own. A `Lesson` can also be rebuilt from that dict
alone (the pytest plugin does, from the run spec), without reading or validating the file again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .i18n import _, pick
from .paths import course_root

LESSON_DIR = re.compile(r"^(\d\d)_([a-z0-9_]+)$")


class CourseError(Exception):
    """A problem with the course itself (not with a learner's code)."""


def find_root(start: Path | None = None) -> Path:
    """The course root (see paths.course_root)."""
    root = course_root(start)
    if root is None:
        raise CourseError(_("Can't find the course: run awaitlings inside your awaitlings clone."))
    return root


@dataclass(frozen=True)
class Exercise:
    lesson: Lesson
    id: str
    title: str
    files: tuple[str, ...]
    tests: tuple[str, ...]
    points: float
    hints: tuple[str, ...]
    needs: tuple[str, ...]
    time_limit: float
    hidden: bool = False  # batch grading: graded, but its test details never reach learners
    title_ko: str = ""  # Korean edition (한국어판): optional here, required by `awaitlings verify`
    hints_ko: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.lesson.slug}/{self.id}"

    @property
    def shown_title(self) -> str:
        """The title in the learner's language (AWAITLINGS_LANG / locale)."""
        return pick(self.title, self.title_ko)

    @property
    def shown_hints(self) -> tuple[str, ...]:
        """The hints in the learner's language; English when the Korean list is missing or incomplete."""
        return pick(self.hints, self.hints_ko if len(self.hints_ko) == len(self.hints) else ())


@dataclass
class Lesson:
    root: Path  # the course root
    slug: str  # e.g. "01_sync_vs_async"
    meta: dict = field(repr=False)  # validated lesson.toml (lessonfile.validate)

    @property
    def number(self) -> str:
        return self.slug[:2]

    @property
    def topic(self) -> str:
        return self.slug[3:]

    @property
    def path(self) -> Path:
        return self.root / "lessons" / self.slug

    @property
    def solution_path(self) -> Path:
        return self.root / "solutions" / self.slug

    @property
    def notebook_path(self) -> Path:
        return self.root / "notebooks" / f"{self.slug}.ipynb"

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def objectives(self) -> list[str]:
        return list(self.meta["objectives"])

    @property
    def title_ko(self) -> str:
        return self.meta["title_ko"] or ""

    @property
    def objectives_ko(self) -> list[str]:
        return list(self.meta["objectives_ko"] or [])

    @property
    def shown_title(self) -> str:
        return pick(self.title, self.title_ko)

    @property
    def shown_objectives(self) -> list[str]:
        return pick(self.objectives, self.objectives_ko)

    @property
    def shown_run_description(self) -> str:
        run = self.run or {}
        return pick(run.get("description") or self.title, run.get("description_ko") or "") or self.shown_title

    def page(self, lang: str = "en") -> Path:
        """The lesson text: README.md, or README.ko.md for the Korean edition."""
        return self.path / ("README.md" if lang == "en" else f"README.{lang}.md")

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(self.meta["needs"])

    @property
    def pytest_plugins(self) -> tuple[str, ...]:
        return tuple(self.meta["pytest_plugins"])

    @property
    def django_settings(self) -> str | None:
        return self.meta["django_settings"]

    @property
    def celery_app(self) -> str | None:
        """The Celery app module (`celery -A <this> worker`) of a Celery lesson."""
        return self.meta["celery_app"]

    @property
    def run(self) -> dict | None:
        return self.meta["run"]

    @property
    def parallel_check(self) -> bool:
        """Whether a learner's check may split the exercises over two pytest processes."""
        return self.meta["parallel_check"]

    @property
    def check_jobs(self) -> int:
        """How many pytest processes a learner's check spreads the exercises over (1 without parallel_check)."""
        return self.meta["check_jobs"] if self.meta["parallel_check"] else 1

    @cached_property
    def exercises(self) -> list[Exercise]:
        return [
            Exercise(lesson=self, id=raw["id"], title=raw["title"], files=tuple(raw["files"]),
                     tests=tuple(raw["tests"]), points=float(raw["points"]), hints=tuple(raw["hints"]),
                     needs=tuple(raw["needs"]) + self.needs, time_limit=float(raw["time_limit"]),
                     hidden=raw["hidden"], title_ko=raw["title_ko"] or "", hints_ko=tuple(raw["hints_ko"] or ()))
            for raw in self.meta["exercises"]
        ]

    @property
    def example_time_limit(self) -> float:
        """Per-test limit for tests that belong to no exercise (they may start browsers and servers)."""
        return float(self.meta["example_time_limit"])

    @property
    def editable_files(self) -> list[str]:
        return [f for ex in self.exercises for f in ex.files]

    @property
    def max_score(self) -> float:
        return sum(ex.points for ex in self.exercises)

    def exercise(self, ex_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == ex_id:
                return ex
        raise CourseError(_("{slug} has no exercise {exercise!r}").format(slug=self.slug, exercise=ex_id))

    def exercise_for_test_file(self, relpath: str) -> Exercise | None:
        for ex in self.exercises:
            if relpath in ex.tests:
                return ex
        return None


class Course:
    def __init__(self, root: Path | None = None):
        self.root = root or find_root()

    @cached_property
    def lessons(self) -> list[Lesson]:
        found = []
        for folder in sorted((self.root / "lessons").iterdir()):
            if folder.is_dir() and LESSON_DIR.match(folder.name) and (folder / "lesson.toml").is_file():
                found.append(load_lesson(self.root, folder.name))
        return found

    def lesson(self, name: str) -> Lesson:
        """A lesson by number (`1`, `01`), topic (`sync_vs_async`) or slug (`01_sync_vs_async`)."""
        wanted = name.strip().strip("/").removeprefix("lessons/").rstrip("/")
        for lesson in self.lessons:
            if wanted in (lesson.slug, lesson.topic) or (wanted.isdigit() and int(wanted) == int(lesson.number)):
                return lesson
        known = ", ".join(lesson.slug for lesson in self.lessons)
        raise CourseError(_("No lesson called {name!r}. Lessons: {known}").format(name=name, known=known))

    def find_exercise(self, name: str) -> Exercise:
        """An exercise by id (`ex01_gather`), `LESSON/ID` or `LESSON:ID`."""
        lesson_part, _, ex_part = name.replace(":", "/").rpartition("/")
        lessons = [self.lesson(lesson_part)] if lesson_part else self.lessons
        matches = [ex for lesson in lessons for ex in lesson.exercises if ex.id == ex_part]
        if not matches and not lesson_part:
            # A bare prefix such as "ex01" is fine when it is unique.
            matches = [ex for lesson in lessons for ex in lesson.exercises if ex.id.startswith(ex_part)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise CourseError(_("No exercise called {name!r}. `awaitlings list` shows them all.").format(name=name))
        options = ", ".join(ex.key for ex in matches)
        raise CourseError(_("{name!r} is in several lessons: say which one ({options}).").format(
            name=name, options=options))


def load_lesson(root: Path, slug: str) -> Lesson:
    from . import lessonfile  # pydantic: imported by whoever reads lesson.toml, never by a test process

    try:
        meta = lessonfile.read(root / "lessons" / slug / "lesson.toml")
    except lessonfile.LessonFileError as error:
        raise CourseError(str(error)) from None
    return Lesson(root=root, slug=slug, meta=meta)


def lesson_of_path(root: Path, path: Path) -> str | None:
    """The lesson slug a path (file or folder) belongs to, if it is inside lessons/NN_topic."""
    try:
        rel = path.resolve().relative_to(root / "lessons")
    except ValueError:
        return None
    first = rel.parts[0] if rel.parts else ""
    return first if LESSON_DIR.match(first) else None
