"""`awaitlings til LESSON`: a Today-I-Learned post draft for bootcamp learners, from the lesson's
objectives and the learner's real results, never invented:

- "Measured": the numbers the learner's own checks measured (tests report them with
  `awaitlings.testing.record_measurement`; the timing helpers do it for every lesson) and the numbers
  their notebook run measured (`remember(...)` below, called from a notebook cell), each with its date;
  nothing when nothing was recorded.
- the mistakes they made: the distinct failure messages their checks showed them (progress.py);
- the hints they asked for or were shown (`hints_seen`), in the draft's language;
- their own passing code: the functions of their file that differ from the starter.

It follows the format of the bootcamp TIL posts the course grew from: Jekyll front matter with `toc` /
`toc_sticky`, "👀 Today I Learned", "💡 Today I Thought" with today's checklist, and a 회고
(retrospective) for the learner to write. Korean under a Korean locale or with `--lang ko`."""

from __future__ import annotations

import ast
import datetime as dt
import math

from .course import Course, Exercise, Lesson
from .i18n import N_, _
from .progress import Progress
from .reader import strip_markers

MAX_EXCERPT_LINES = 25

# The names timing.py gives its measurements ("<what>: <kind>"), translated when the draft is shown.
KINDS = (N_("time taken"), N_("one after another (calls × wait)"), N_("speed-up"))
NAMES = (N_("CPU time in the test process"), N_("CPU time of the same work run here"))


def remember(lesson: str, name: str, value: float, unit: str = "") -> None:
    """Keep a number the learner's notebook just measured for their TIL draft (`awaitlings til`).

        from awaitlings.til import remember
        remember("01", "sequential vs concurrent", ratio, "×")

    Writes to the learner's progress file (the last value per name, with today's date). Never raises:
    outside a course clone (or with a value that is not a number) it does nothing. Returns None, so the
    cell shows no output of its own."""
    try:
        value = float(value)
        if math.isfinite(value):
            course = Course()
            Progress(course).record_notebook(course.lesson(str(lesson)), str(name), round(value, 4), str(unit))
    except Exception:  # noqa: BLE001 - a notebook cell must never fail because of this
        pass


def number(value: float) -> str:
    """How a recorded number is written in a draft (tests compare with this too)."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def til_draft(lesson: Lesson, progress: Progress, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    done = [ex for ex in lesson.exercises if progress.done(ex)]
    lines = [
        "---",
        f'title: "[TIL] {lesson.shown_title}"',
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
    lines += [f"- {objective}" for objective in lesson.shown_objectives] or ["- " + _("(write what you learned)")]
    lines += ["", "## " + _("Measured"), ""] + _measured(lesson, progress)
    lines += ["", "## " + _("Mistakes I made and fixed"), ""] + _mistakes(lesson, progress)
    lines += ["", "## " + _("Hints I used"), ""] + _hints(lesson, progress)
    lines += ["", "## " + _("My passing code"), ""] + _code(lesson, done)
    lines += ["", "<br>", "", "# 💡 Today I Thought", "", "## " + _("Today's checklist"), ""]
    for ex in lesson.exercises:
        lines.append(f"- [{'x' if progress.done(ex) else ' '}] {ex.shown_title}{_score(progress, ex)}")
    lines += [
        "- [ ] " + _("Write the TIL"),
        "",
        _("{done}/{total} exercises pass `awaitlings check {number}`.").format(
            done=len(done), total=len(lesson.exercises), number=lesson.number),
        "",
        "## " + _("What surprised me"),  # the 회고 (retrospective) of the source posts
        "",
        "&nbsp;" + _("(What confused you today, what surprised you, what you will try tomorrow.)"),
        "",
    ]
    return "\n".join(lines)


def _score(progress: Progress, ex: Exercise) -> str:
    entry = progress.entry(ex)
    return f" ({entry.get('score', 0):g}/{entry.get('max_score', ex.points):g})" if entry.get("checked_at") else ""


def _name(name: str) -> str:
    what, sep, kind = name.rpartition(": ")
    if sep and kind in KINDS:
        return f"{what}: {_(kind)}"
    return _(name) if name in NAMES else name


def _value(record: dict) -> str:
    unit = str(record.get("unit", ""))
    text = number(float(record["value"]))
    return f"{text}{unit}" if unit in ("×", "x", "%") else f"{text} {unit}".rstrip()


def _measured(lesson: Lesson, progress: Progress) -> list[str]:
    lines = []
    for ex in lesson.exercises:
        found = progress.entry(ex).get("measurements") or {}
        source = _("my check of {exercise}").format(exercise=ex.id)
        for name, record in found.items():
            if isinstance(record, dict) and isinstance(record.get("value"), (int, float)):
                lines.append(f"- {_name(name)}: **{_value(record)}** ({source}, {record.get('date', '')})")
    source = _("my run of {notebook}").format(notebook=f"notebooks/{lesson.slug}.ipynb")
    for name, record in progress.notebook_measurements(lesson).items():
        if isinstance(record, dict) and isinstance(record.get("value"), (int, float)):
            lines.append(f"- {name}: **{_value(record)}** ({source}, {record.get('date', '')})")
    return lines or ["- " + _("(nothing measured yet: run this lesson's checks or its notebook, then draft again)")]


def _mistakes(lesson: Lesson, progress: Progress) -> list[str]:
    lines = []
    for ex in lesson.exercises:
        seen = progress.entry(ex).get("mistakes") or []
        if not seen:
            continue
        state = _("fixed") if progress.done(ex) else _("not fixed yet")
        lines.append(f"- **{ex.shown_title}** ({state})")
        lines += [f"    - {message}" for message in seen if isinstance(message, str)]
    return lines or ["- " + _("(no failed check recorded)")]


def _hints(lesson: Lesson, progress: Progress) -> list[str]:
    lines = []
    for ex in lesson.exercises:
        level = int(progress.entry(ex).get("hints_seen") or 0)
        hints = ex.shown_hints[:level]
        if hints:
            lines.append(f"- **{ex.shown_title}**")
            lines += [f"    {i}. {hint}" for i, hint in enumerate(hints, 1)]
    return lines or ["- " + _("(none: solved without hints)")]


def _code(lesson: Lesson, done: list[Exercise]) -> list[str]:
    lines = []
    try:
        from .targets import starter_files

        starters = starter_files(lesson)
    except Exception:  # noqa: BLE001 - without a snapshot, every function counts as the learner's
        starters = {}
    for ex in done:
        for rel in ex.files:
            if not rel.endswith(".py"):
                continue
            try:
                text = (lesson.path / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            excerpt = excerpt_of(strip_markers(text), strip_markers(starters.get(rel, "")))
            if excerpt:
                lines += [f"`{rel}`", "", "```python", *excerpt, "```", ""]
    return lines[:-1] if lines else ["- " + _("(no exercise passes yet)")]


def excerpt_of(code: str, starter: str = "") -> list[str]:
    """The top-level functions and classes of `code` the learner changed (all of them if none differs
    from `starter`), at most MAX_EXCERPT_LINES lines; the whole file (trimmed) if it does not parse."""
    source = code.splitlines()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return _trim(source)
    old = {}
    try:
        for node in ast.parse(starter).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                old[node.name] = ast.dump(node)
    except SyntaxError:
        pass
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    changed = [n for n in defs if old.get(n.name) != ast.dump(n)] or defs
    if not changed:
        return _trim(source)
    picked: list[str] = []
    for node in changed:
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if picked:
            picked.append("")
        picked += source[first - 1:node.end_lineno]
    return _trim(picked)


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines if len(lines) <= MAX_EXCERPT_LINES else [*lines[:MAX_EXCERPT_LINES - 1], "    # …"]
