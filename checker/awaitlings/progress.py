"""The learner's progress: a small JSON cache of real check results, keyed by `lesson/exercise`.

It is only a cache: `awaitlings check` rewrites the entries it grades, unknown keys (from an older
course) are ignored, and deleting the file loses nothing that checking again won't rebuild."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path

from .course import Course, Exercise, Lesson

VERSION = 1
MAX_MISTAKES = 5  # distinct first-failure messages kept per exercise (for the TIL draft)


class Progress:
    def __init__(self, course: Course) -> None:
        self.course = course
        self.path = course.root / ".awaitlings" / "progress.json"
        self.data = self._load()

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == VERSION and isinstance(data.get("exercises"), dict):
                return data
        except (OSError, ValueError):
            pass
        return {"version": VERSION, "exercises": {}}

    def save(self) -> None:
        self.path.parent.mkdir(exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

    def entry(self, exercise: Exercise) -> dict:
        return self.data["exercises"].get(exercise.key, {})

    def done(self, exercise: Exercise) -> bool:
        return bool(self.entry(exercise).get("done"))

    def state(self, exercise: Exercise) -> str:
        entry = self.entry(exercise)
        if not entry.get("checked_at"):
            return "new"
        return "done" if entry.get("done") else "failing"

    def record(self, result) -> None:
        """Store a LessonResult graded on the learner's own files (only ever call it for those): the score,
        the numbers its tests measured (the last one per name) and the failure messages the learner saw."""
        today = dt.date.today().isoformat()
        for ex_result in result.exercises:
            entry = self.data["exercises"].setdefault(ex_result.exercise.key, {})
            for m in getattr(ex_result, "measurements", ()):
                entry.setdefault("measurements", {})[m.name] = {"value": m.value, "unit": m.unit, "date": today}
            if ex_result.skipped:
                continue
            if not ex_result.passed:
                failure = ex_result.first_failure
                _remember_mistake(entry, ex_result.problem or (failure.message if failure else ""))
            entry.update(
                seconds=ex_result.seconds,
                done=ex_result.passed,
                score=ex_result.score,
                max_score=ex_result.max_score,
                checked_at=int(time.time()),
            )
        self.save()

    def record_notebook(self, lesson: Lesson, name: str, value: float, unit: str = "") -> None:
        """A number the learner's own notebook run measured (`awaitlings.til.remember`): the last per name."""
        found = self.data.setdefault("notebooks", {}).setdefault(lesson.slug, {})
        found[name] = {"value": value, "unit": unit, "date": dt.date.today().isoformat()}
        self.save()

    def notebook_measurements(self, lesson: Lesson) -> dict[str, dict]:
        found = self.data.get("notebooks", {}).get(lesson.slug, {})
        return found if isinstance(found, dict) else {}

    def next_hint(self, exercise: Exercise) -> tuple[int, str] | None:
        """The next unseen hint (1-based level), advancing the learner's hint level."""
        hints = exercise.shown_hints  # the same number in every language: the level carries over
        if not hints:
            return None
        entry = self.data["exercises"].setdefault(exercise.key, {})
        level = min(entry.get("hints_seen", 0) + 1, len(hints))
        entry["hints_seen"] = level
        self.save()
        return level, hints[level - 1]

    def saw_hint(self, exercise: Exercise) -> None:
        """A failure showed the learner the current hint: count it as seen, so the next one is new."""
        entry = self.data["exercises"].setdefault(exercise.key, {})
        if exercise.hints and entry.get("hints_seen", 0) < 1:
            entry["hints_seen"] = 1
            self.save()

    def current_hint(self, exercise: Exercise) -> tuple[int, str] | None:
        """The hint to show next to a failure: the first, or the last one the learner asked for."""
        hints = exercise.shown_hints
        if not hints:
            return None
        level = max(1, min(self.entry(exercise).get("hints_seen", 0), len(hints)))
        return level, hints[level - 1]

    def durations(self, lesson: Lesson) -> dict[str, float]:
        """How long each exercise's tests took at the last check (to balance the next one)."""
        return {ex.id: self.entry(ex)["seconds"] for ex in lesson.exercises if "seconds" in self.entry(ex)}

    def lesson_done(self, lesson: Lesson) -> bool:
        return all(self.done(ex) for ex in lesson.exercises)

    def first_unfinished(self) -> Lesson | None:
        return next((lesson for lesson in self.course.lessons if not self.lesson_done(lesson)), None)

    def first_unfinished_exercise(self, lesson: Lesson) -> Exercise | None:
        return next((ex for ex in lesson.exercises if not self.done(ex)), None)

    def counts(self) -> tuple[int, int]:
        exercises = [ex for lesson in self.course.lessons for ex in lesson.exercises]
        return sum(self.done(ex) for ex in exercises), len(exercises)


def _remember_mistake(entry: dict, message: str) -> None:
    """Keep the first line of a failure message the learner saw, once (the same message with other
    numbers counts once), at most MAX_MISTAKES per exercise."""
    line = next((part.strip() for part in message.splitlines() if part.strip()), "")
    if not line:
        return
    if len(line) > 200:
        line = line[:199].rstrip() + "…"
    seen = entry.setdefault("mistakes", [])
    shape = re.sub(r"\d+(?:\.\d+)?", "#", line)
    if len(seen) < MAX_MISTAKES and all(re.sub(r"\d+(?:\.\d+)?", "#", old) != shape for old in seen):
        seen.append(line)


def relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
