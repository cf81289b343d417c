"""The course on disk: where it is, its lessons, and what lesson.toml says about each."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .i18n import _, pick
from .paths import course_root

LESSON_DIR = re.compile(r"^(\d\d)_([a-z0-9_]+)$")
DEFAULT_TIME_LIMIT = 10.0


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
    meta: dict = field(repr=False)

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
        return self.meta.get("title", self.topic.replace("_", " "))

    @property
    def objectives(self) -> list[str]:
        return list(self.meta.get("objectives", []))

    @property
    def title_ko(self) -> str:
        return self.meta.get("title_ko", "")

    @property
    def objectives_ko(self) -> list[str]:
        return list(self.meta.get("objectives_ko", []))

    @property
    def shown_title(self) -> str:
        return pick(self.title, self.title_ko)

    @property
    def shown_objectives(self) -> list[str]:
        return pick(self.objectives, self.objectives_ko)

    @property
    def shown_run_description(self) -> str:
        run = self.run or {}
        return pick(run.get("description", self.title), run.get("description_ko", "")) or self.shown_title

    def page(self, lang: str = "en") -> Path:
        """The lesson text: README.md, or README.ko.md for the Korean edition."""
        return self.path / ("README.md" if lang == "en" else f"README.{lang}.md")

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(self.meta.get("needs", []))

    @property
    def pytest_plugins(self) -> tuple[str, ...]:
        return tuple(self.meta.get("pytest_plugins", ["asyncio"]))

    @property
    def django_settings(self) -> str | None:
        return self.meta.get("django_settings")

    @property
    def celery_app(self) -> str | None:
        """The Celery app module (`celery -A <this> worker`) of a Celery lesson."""
        return self.meta.get("celery_app")

    @property
    def run(self) -> dict | None:
        return self.meta.get("run")

    @cached_property
    def exercises(self) -> list[Exercise]:
        out = []
        default_limit = float(self.meta.get("time_limit", DEFAULT_TIME_LIMIT))
        for raw in self.meta.get("exercises", []):
            try:
                ex_id = raw["id"]
                files = tuple(raw["files"])
            except KeyError as missing:
                raise CourseError(_("{slug}/lesson.toml: an exercise lacks {missing}").format(
                    slug=self.slug, missing=missing)) from None
            out.append(
                Exercise(
                    lesson=self,
                    id=ex_id,
                    title=raw.get("title", ex_id),
                    files=files,
                    tests=tuple(raw.get("tests", [f"tests/test_{ex_id}.py"])),
                    points=float(raw.get("points", 1)),
                    hints=tuple(raw.get("hints", [])),
                    needs=tuple(raw.get("needs", [])) + self.needs,
                    time_limit=float(raw.get("time_limit", default_limit)),
                    title_ko=raw.get("title_ko", ""),
                    hints_ko=tuple(raw.get("hints_ko", [])),
                )
            )
        return out

    @property
    def example_time_limit(self) -> float:
        """Per-test limit for tests that belong to no exercise (they may start browsers and servers)."""
        return float(self.meta.get("example_time_limit", 30.0))

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
    path = root / "lessons" / slug / "lesson.toml"
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CourseError(f"{path}: {error}") from None
    return Lesson(root=root, slug=slug, meta=meta)


def lesson_of_path(root: Path, path: Path) -> str | None:
    """The lesson slug a path (file or folder) belongs to, if it is inside lessons/NN_topic."""
    try:
        rel = path.resolve().relative_to(root / "lessons")
    except ValueError:
        return None
    first = rel.parts[0] if rel.parts else ""
    return first if LESSON_DIR.match(first) else None
