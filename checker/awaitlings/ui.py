"""Terminal output: short, coloured when the terminal supports it, plain otherwise."""

from __future__ import annotations

import os
import sys

from .i18n import _
from .progress import Progress, relpath
from .runner import LessonResult

_COLOUR = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None and os.environ.get("TERM") != "dumb"


def _style(code: str):
    return lambda text: f"\033[{code}m{text}\033[0m" if _COLOUR else text


bold, dim, red, green, yellow, cyan = (_style(c) for c in ("1", "2", "31", "32", "33", "36"))
TICK, CROSS, SKIP = green("✓"), red("✗"), yellow("–")


def bar(done: int, total: int, width: int = 24) -> str:
    filled = round(width * done / total) if total else 0
    return green("█" * filled) + dim("░" * (width - filled))


def indent(text: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def show_lesson_result(result: LessonResult, progress: Progress | None, verbose: bool = False) -> str:
    lesson = result.lesson
    root = lesson.root
    lines = [f"{bold(lesson.slug)} — {lesson.shown_title}"]
    if result.target != "learner":
        from .targets import describe

        lines[0] += dim(f"  ({describe(result.target)})")
    if result.problem and not any(e.tests for e in result.exercises):
        lines.append(red(indent(_("The lesson's tests could not run. This is not your code's fault if you only edited\n"
                                  "the exercise files; run `awaitlings doctor`."), "  ")))
        lines.append(indent(result.problem))
        return "\n".join(lines)
    first_failure_shown = False
    for ex_result in result.exercises:
        ex = ex_result.exercise
        mark = TICK if ex_result.passed else SKIP if ex_result.skipped else CROSS
        score = f"{ex_result.score:g}/{ex_result.max_score:g}"
        lines.append(f"  {mark} {ex.id:<28} {score:>7}  {dim(ex.shown_title)}")
        if ex_result.passed:
            continue
        if ex_result.skipped:
            lines.append(indent(yellow(ex_result.tests[0].message.strip() or _("skipped"))))
            continue
        failure = ex_result.first_failure
        if ex_result.problem:
            lines.append(indent(ex_result.problem))
        elif failure:
            failed = sum(t.outcome == "failed" for t in ex_result.tests)
            lines.append(dim("      " + _("{failed} of {total} tests failed; first: {name}").format(
                failed=failed, total=len(ex_result.tests), name=failure.name)))
            lines.append(indent(failure.message or _("failed")))
            if verbose and failure.details:
                lines.append(indent(dim(failure.details)))
            if verbose and failure.output:
                lines.append(indent(dim(_("your code printed:") + "\n" + failure.output)))
        files = ", ".join(relpath(lesson.path / f, root) for f in ex.files)
        if not first_failure_shown:
            first_failure_shown = True
            lines.append(dim("      " + _("edit: {files}").format(files=files)))
            hints = ex.shown_hints
            hint = progress.current_hint(ex) if progress else (1, hints[0]) if hints else None
            if hint:
                level, text = hint
                lines.append(cyan("      " + _("hint {level}/{total}: ").format(level=level, total=len(hints))) + text)
                if level < len(hints):
                    lines.append(dim("      " + _("more: awaitlings hint {exercise}").format(exercise=ex.id)))
    total = f"{result.score:g}/{result.max_score:g}"
    verdict = green(_("all passed")) if result.passed else _("{passed}/{total} exercises passed").format(
        passed=sum(e.passed for e in result.exercises), total=len(result.exercises))
    score = _("score")
    lines.append(f"  {bold(score)} {total} · {verdict} · {result.elapsed:.1f} s")
    return "\n".join(lines)


def gradescope_json(result: LessonResult) -> dict:
    """Gradescope's results.json shape, plus the lesson id."""
    tests = []
    for ex_result in result.exercises:
        ex = ex_result.exercise
        if ex_result.problem or not ex_result.tests:
            tests.append({"name": f"{ex.id}", "score": 0.0, "max_score": ex.points, "status": "failed",
                          "output": ex_result.problem, "visibility": "visible", "tags": [ex.id]})
            continue
        counted = ex_result.counted or ex_result.tests
        share = ex.points / len(counted)
        for test in ex_result.tests:
            score = share if test.outcome == "passed" else 0.0
            tests.append({
                "name": f"{ex.id} › {test.name}",
                "score": round(score, 4),
                "max_score": round(share, 4) if test.outcome != "skipped" else 0.0,
                "status": "passed" if test.outcome == "passed" else "failed",
                "output": test.message if test.outcome != "passed" else "",
                "visibility": "visible",
                "tags": [ex.id],
            })
    return {
        "lesson": result.lesson.slug,
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.elapsed, 2),
        "output": result.problem,
        "visibility": "visible",
        "tests": tests,
    }


class StatusLine:
    """After a check has run for `delay` seconds, one line on stderr names what it is starting or waiting
    for (a Celery worker, a server, Chromium), replaced as that changes and erased at the end. Only on a
    terminal: piped output and `--json` stay clean."""

    def __init__(self, stream=None, delay: float = 1.0, force: bool = False) -> None:
        import threading
        import time

        self.stream = stream or sys.stderr
        self.delay = delay
        self.started = time.monotonic()
        self.latest = ""
        self.shown = ""
        self.done = threading.Event()
        self.enabled = force or (hasattr(self.stream, "isatty") and self.stream.isatty())
        self.thread = threading.Thread(target=self._run, daemon=True) if self.enabled else None
        if self.thread:
            self.thread.start()

    def __call__(self, what: str) -> None:
        self.latest = what

    def _run(self) -> None:
        import time

        while not self.done.wait(0.05):
            if time.monotonic() - self.started >= self.delay and self.latest and self.latest != self.shown:
                self.shown = self.latest
                self.stream.write("\r\033[K" + dim("  … " + self.shown))
                self.stream.flush()

    def close(self) -> None:
        self.done.set()
        if self.thread:
            self.thread.join(timeout=1)
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
