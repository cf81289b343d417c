"""`awaitlings til LESSON`: a Today-I-Learned post draft for bootcamp learners, from the lesson's
objectives and the learner's real check results (never invented)."""

from __future__ import annotations

import datetime as dt

from .course import Lesson
from .progress import Progress


def til_draft(lesson: Lesson, progress: Progress, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    done = [ex for ex in lesson.exercises if progress.done(ex)]
    lines = [
        "---",
        f'title: "[TIL] {lesson.title}"',
        f"date: {today.isoformat()}",
        "categories:",
        "  - TIL",
        "tags:",
        "  - TIL",
        "  - async",
        f"  - {lesson.topic.replace('_', '-')}",
        "toc: true",
        "---",
        "",
        "# 👀 Today I Learned",
        "",
    ]
    lines += [f"- {objective}" for objective in lesson.objectives] or ["- (write what you learned)"]
    lines += ["", "## Exercises", ""]
    for ex in lesson.exercises:
        entry = progress.entry(ex)
        score = f" ({entry.get('score', 0):g}/{entry.get('max_score', ex.points):g})" if entry.get("checked_at") else ""
        lines.append(f"- [{'x' if progress.done(ex) else ' '}] {ex.title}{score}")
    lines += [
        "",
        f"{len(done)}/{len(lesson.exercises)} exercises pass `awaitlings check {lesson.number}`.",
        "",
        "## What surprised me",
        "",
        "- ",
        "",
        "## Measured",
        "",
        f"- (paste a number from `notebooks/{lesson.slug}.ipynb`, as a ratio)",
        "",
    ]
    return "\n".join(lines)
