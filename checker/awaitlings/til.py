"""`awaitlings til LESSON`: a Today-I-Learned post draft for bootcamp learners, from the lesson's
objectives and the learner's real check results (never invented).

Under a Korean locale (or `--lang ko`) the draft is Korean, in the format of the bootcamp TIL posts the
course grew from: Jekyll front matter with `toc` / `toc_sticky`, "👀 Today I Learned", "💡 Today I
Thought" with today's checklist, and a 회고 (retrospective) for the learner to write."""

from __future__ import annotations

import datetime as dt

from .course import Lesson
from .i18n import is_korean
from .progress import Progress


def til_draft(lesson: Lesson, progress: Progress, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    if is_korean():
        return _korean(lesson, progress, today)
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
        lines.append(f"- [{'x' if progress.done(ex) else ' '}] {ex.title}{_score(progress, ex)}")
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


def _score(progress: Progress, ex) -> str:
    entry = progress.entry(ex)
    return f" ({entry.get('score', 0):g}/{entry.get('max_score', ex.points):g})" if entry.get("checked_at") else ""


def _korean(lesson: Lesson, progress: Progress, today: dt.date) -> str:
    done = [ex for ex in lesson.exercises if progress.done(ex)]
    title = lesson.title_ko or lesson.title
    lines = [
        "---",
        f'title: "[TIL] {title}"',
        f"date: {today.isoformat()}",
        "categories:",
        "  - TIL",
        "tags:",
        "  - TIL",
        "  - async",
        f"  - {lesson.topic.replace('_', '-')}",
        "toc: true",
        "toc_sticky: true",
        "---",
        "",
        "# 👀 Today I Learned",
        "",
    ]
    lines += [f"- {objective}" for objective in (lesson.objectives_ko or lesson.objectives)] or [
        "- (오늘 배운 내용을 적어 보세요)"]
    lines += [
        "",
        "## 측정해 본 것",
        "",
        f"- (`notebooks/{lesson.slug}.ipynb`에서 잰 숫자를 비율로 적어 보세요)",
        "",
        "<br>",
        "",
        "# 💡 Today I Thought",
        "",
        "## 오늘의 체크리스트",
        "",
    ]
    for ex in lesson.exercises:
        lines.append(f"- [{'x' if progress.done(ex) else ' '}] {ex.title_ko or ex.title}{_score(progress, ex)}")
    lines += [
        "- [ ] TIL 작성",
        "",
        f"`awaitlings check {lesson.number}` 통과: {len(done)}/{len(lesson.exercises)}문제.",
        "",
        "## 회고",
        "",
        "&nbsp;(오늘 헷갈렸던 것, 의외였던 것, 내일 해 볼 것을 적어 보세요.)",
        "",
    ]
    return "\n".join(lines)
