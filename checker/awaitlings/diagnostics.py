"""Turn what went wrong in a learner's code into one short, specific explanation.

Three async-aware sources feed it:
- asyncio debug mode logs every callback that held the loop longer than `slow_callback_duration`
  ("Executing <Task ... coro=<view() running at views.py:12>> took 1.002 seconds"): we name the
  coroutine and look in its body for the blocking call that did it;
- RuntimeWarnings for coroutines that were never awaited;
- on a time-out, the await chain of every pending task and the stack of every thread, trimmed to
  the learner's own files, so "stuck" comes with a place."""

from __future__ import annotations

import ast
import asyncio
import inspect
import linecache
import logging
import re
import sys
import threading
import traceback
from pathlib import Path

from .i18n import _, N_

SLOW = re.compile(r"Executing (?P<what>.*) took (?P<secs>[\d.]+) seconds", re.S)
CORO_AT = re.compile(r"coro=<(?P<name>[\w.<>]+)\(\) (?:running|done, defined) at (?P<file>[^>]+?):(?P<line>\d+)>")
CREATED_AT = re.compile(r"created at (?P<file>[^>]+?):(?P<line>\d+)>")
BLOCKING_CALLS = {
    ("time", "sleep"): "await asyncio.sleep(...)",
    ("requests", None): N_("an async HTTP client such as httpx.AsyncClient"),
    ("httpx", "get"): "`async with httpx.AsyncClient() as client: await client.get(...)`",
    ("httpx", "post"): "`async with httpx.AsyncClient() as client: await client.post(...)`",
    ("httpx", "Client"): "httpx.AsyncClient",
    ("urlopen", None): N_("an async HTTP client such as httpx.AsyncClient"),
    ("subprocess", None): "asyncio.create_subprocess_exec(...)",
    ("objects", None): N_("the async ORM (aget, acreate, async for) or sync_to_async"),
}


def short_text(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + "\n... " + _("[cut: {count} more characters]").format(count=len(text) - limit)


def _under(path: str, root: Path) -> bool:
    """Is `path` the learner's code: inside the target folder, and not the course's tests?"""
    try:
        rel = Path(path).resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return not rel.parts or rel.parts[0] != "tests"


def _rel(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return path


class LoopWatcher(logging.Handler):
    """Collects asyncio's slow-callback reports during one test."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.slow: list[tuple[str, float]] = []
        self.warnings: list[str] = []
        self.blocked = False  # set by notes(): a coroutine of the learner's held the loop

    def emit(self, record: logging.LogRecord) -> None:
        try:
            match = SLOW.search(record.getMessage())
        except Exception:  # noqa: BLE001 - a logging handler must never raise
            return
        if match:
            self.slow.append((match["what"], float(match["secs"])))

    def __enter__(self) -> LoopWatcher:
        logging.getLogger("asyncio").addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("asyncio").removeHandler(self)

    def notes(self, root: Path, files: list[Path], unawaited: bool = True) -> list[str]:
        out = []
        seen = set()
        for what, secs in sorted(self.slow, key=lambda item: -item[1]):
            note = _blocking_note(what, secs, root, files)
            key = note and note.replace(f"{secs:.2f}", "")  # the same call blocking again: said once
            if note and key not in seen:
                seen.add(key)
                out.append(note)
        self.blocked = bool(out)
        for text in self.warnings if unawaited else ():
            m = re.search(r"coroutine '([^']+)' was never awaited", text)
            if m:
                note = never_awaited_note(m[1].split(".")[-1], _origin_in_warning(text, root), root)
                if note not in seen:
                    seen.add(note)
                    out.append(note)
        return out[:3]


def _blocking_note(what: str, secs: float, root: Path, files: list[Path]) -> str | None:
    match = CORO_AT.search(what) or CREATED_AT.search(what)
    if match and _under(match["file"], root):
        # The blocked task runs a coroutine of the learner's: look in that coroutine first.
        name = match.groupdict().get("name") or "a callback"
        places = [(match["file"], name.split(".")[-1], int(match["line"]))]
    else:
        # The test's own task was blocked by a learner coroutine it awaited: look in the exercise's files.
        name, places = None, [(str(f), None, 0) for f in files]
    for file, function, line in places:
        culprit = find_blocking_call(file, function, line)
        if culprit:
            call_line, call_text, func_name, instead = culprit
            return _(
                "{function}() in {file} blocked the event loop for {seconds} s: `{call}` "
                "on line {line} is a blocking call inside `async def`, so nothing else could run "
                "meanwhile. Use {instead}."
            ).format(function=func_name, file=_rel(file, root), seconds=f"{secs:.2f}", call=call_text,
                     line=call_line, instead=_(instead))
    if name:
        return _(
            "{function}() in {file} held the event loop for {seconds} s without awaiting "
            "(near line {line}): a blocking call or a long computation inside `async def` stops every "
            "other task."
        ).format(function=name, file=_rel(places[0][0], root), seconds=f"{secs:.2f}", line=places[0][2])
    if files and secs >= 0.2:
        return _(
            "Something held the event loop for {seconds} s without awaiting: look for a blocking call "
            "(time.sleep, a sync HTTP client, the sync ORM) or a long loop inside an `async def`."
        ).format(seconds=f"{secs:.2f}")
    return None


def find_blocking_call(file: str, function: str | None, line: int) -> tuple[int, str, str, str] | None:
    """The first well-known blocking call in an async function of `file` (`function`, if given)."""
    try:
        source = Path(file).read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return None
    candidates = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFunctionDef)
        and (function is None or node.name == function or node.lineno <= line <= (node.end_lineno or 0))
    ]
    for func in candidates:
        for node in ast.walk(func):
            if not isinstance(node, ast.Call):
                continue
            dotted = _dotted(node.func)
            for (head, tail), instead in BLOCKING_CALLS.items():
                parts = dotted.split(".")
                if head in parts and (tail is None or parts[-1] == tail):
                    if _is_awaited(func, node):
                        continue
                    return node.lineno, ast.get_source_segment(source, node) or dotted, func.name, instead
    return None


def _is_awaited(func: ast.AST, call: ast.Call) -> bool:
    return any(isinstance(n, ast.Await) and n.value is call for n in ast.walk(func))


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return ""


# --- coroutines that were never awaited ---------------------------------------------------------------

ORIGIN_LINE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')


def _origin_in_warning(text: str, root: Path) -> tuple[str, int] | None:
    """The learner's line that created the coroutine, from a RuntimeWarning's "Coroutine created at"
    trace (asyncio debug mode tracks coroutine origins)."""
    places = [(m["file"], int(m["line"])) for m in ORIGIN_LINE.finditer(text.split("Coroutine created at", 1)[-1])
              if "Coroutine created at" in text and _under(m["file"], root)]
    return places[-1] if places else None


def _origin_of(coro, root: Path) -> tuple[str, int] | None:
    """Where a coroutine object was created, in the learner's files (`cr_origin`, innermost first)."""
    for file, line, _function in getattr(coro, "cr_origin", None) or ():
        if _under(file, root):
            return file, line
    return None


def never_awaited_note(name: str, origin: tuple[str, int] | None, root: Path) -> str:
    if origin:
        file, line = origin
        return _(
            "Forgotten `await`: {name}() was called on {file} line {line} (`{code}`) but never awaited, so "
            "it never ran: calling an `async def` function only creates a coroutine object. Write "
            "`await {name}(...)`, or run several at once with `await asyncio.gather(...)`."
        ).format(name=name, file=_rel(file, root), line=line, code=linecache.getline(file, line).strip())
    return _("The coroutine {name}() was created but never awaited: did you forget `await`?").format(name=name)


def _unawaited_in(value, root: Path, depth: int = 0):
    """Coroutine objects of the learner's that never started, in `value` (or in a list, tuple, set or dict
    of them: a list comprehension that forgot `await`)."""
    if inspect.iscoroutine(value):
        if inspect.getcoroutinestate(value) == inspect.CORO_CREATED and _under(value.cr_code.co_filename, root):
            yield value
    elif depth == 0 and isinstance(value, (list, tuple, set, frozenset)):
        for item in list(value)[:50]:
            yield from _unawaited_in(item, root, 1)
    elif depth == 0 and isinstance(value, dict):
        for item in list(value.values())[:50]:
            yield from _unawaited_in(item, root, 1)


def unawaited_coroutines(tb, root: Path) -> list[str]:
    """Notes for learner coroutines that were created but never started, found in the failing traceback's
    frames (the test's `got`, the learner's locals). They have not been garbage-collected yet, so no
    "never awaited" warning has been issued for them."""
    notes, seen = [], set()
    while tb is not None:
        try:
            values = list(tb.tb_frame.f_locals.values())
        except Exception:  # noqa: BLE001 - a frame's locals are the learner's objects
            values = []
        for value in values:
            for coro in _unawaited_in(value, root):
                name = coro.cr_code.co_name
                origin = _origin_of(coro, root)
                if (name, origin) not in seen:
                    seen.add((name, origin))
                    notes.append(never_awaited_note(name, origin, root))
        tb = tb.tb_next
    return notes[:2]


# --- where is it stuck? ------------------------------------------------------------------------------


def _frame_line(frame, root: Path) -> str:
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return _("{file} line {line}, in {function}(): `{code}`").format(
        file=_rel(frame.f_code.co_filename, root), line=frame.f_lineno, function=frame.f_code.co_name, code=code)


def _await_chain(coro) -> list:
    frames, seen = [], 0
    while coro is not None and seen < 50:
        seen += 1
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None:
            frames.append(frame)
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None) or getattr(coro, "ag_await", None)
    return frames


def stuck_report(root: Path, interrupted_frame=None) -> str:
    """Where the learner's code was when the time ran out: the interrupted line, pending tasks, threads."""
    lines: list[str] = []
    frame = interrupted_frame
    running = []
    while frame is not None:
        if _under(frame.f_code.co_filename, root):
            running.append(frame)
        frame = frame.f_back
    if running:
        lines.append(_("Still running: ") + _frame_line(running[0], root))
    try:
        loop = asyncio._get_running_loop()
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()] if loop else []
    except RuntimeError:
        tasks = []
    for task in tasks[:6]:
        mine = [f for f in _await_chain(task.get_coro()) if _under(f.f_code.co_filename, root)]
        if mine:
            lines.append(_("Task {name} waiting at ").format(name=task.get_name()) + _frame_line(mine[-1], root))
    main_id = threading.main_thread().ident
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, top in sys._current_frames().items():
        if ident == main_id:
            continue
        mine = []
        while top is not None:
            if _under(top.f_code.co_filename, root):
                mine.append(top)
            top = top.f_back
        if mine:
            lines.append(_("Thread {name} at ").format(name=names.get(ident, ident)) + _frame_line(mine[0], root))
    if not lines:
        return " " + _(
            "None of your code was running: the test was waiting for something that never happened "
            "(a missing `await`, a task never started, an event never set?)."
        )
    return "\n" + "\n".join(f"  {line}" for line in lines[:8])


# --- the one-sentence explanation ---------------------------------------------------------------------


def _learner_location(tb, root: Path) -> str:
    frames = [f for f in traceback.extract_tb(tb) if _under(f.filename, root)]
    if not frames:
        return ""
    f = frames[-1]
    return " " + _("(at {file} line {line}: `{code}`)").format(file=_rel(f.filename, root), line=f.lineno,
                                                                code=(f.line or "").strip())


def _assert_text(exc: BaseException) -> str:
    text = str(exc)
    # pytest's assertion rewriting appends its own explanation after ours.
    for marker in ("\nassert ", "\nAssertionError"):
        text = text.split(marker)[0]
    return text.strip()


def explain(
    excinfo, root: Path, watcher: LoopWatcher | None = None, when: str = "call", files: list[Path] = ()
) -> str:
    if excinfo is None:
        return ""
    exc = excinfo.value
    name = type(exc).__name__
    nested_run = isinstance(exc, RuntimeError) and "cannot be called from a running event loop" in str(exc)
    if name == "ExerciseTimeout":
        message = _("Your code {what}").format(what=exc)
    elif isinstance(exc, AssertionError):
        message = _assert_text(exc)
        if not message:
            entry = excinfo.traceback[-1]
            source = str(entry.statement).strip() if entry.statement else "assert ..."
            message = _("An expectation failed: `{source}`").format(source=source)
    elif isinstance(exc, SystemExit):
        message = _(
            "Your code called sys.exit({code}), which stops the program instead of returning. "
            "Return a value or raise an exception."
        ).format(code=repr(exc.code)) + _learner_location(excinfo.tb, root)
    elif name == "SynchronousOnlyOperation":
        message = _(
            "SynchronousOnlyOperation: a sync-only API (the ORM, `request.user`) was called from async code"
            "{where}. Use the async API (`aget`, `acreate`, `async for`, "
            "`await request.auser()`) or wrap it in `sync_to_async`."
        ).format(where=_learner_location(excinfo.tb, root))
    elif nested_run:
        message = _nested_run(excinfo.tb, root)
    elif name == "NotRun":
        message = not_run_message()
    elif isinstance(exc, BaseExceptionGroup):
        inner = "; ".join(f"{type(e).__name__}: {e}" for e in exc.exceptions[:3])
        message = _("{name} ({count} error(s)): {inner}").format(name=name, count=len(exc.exceptions), inner=inner)
        message += _learner_location(excinfo.tb, root)
    else:
        text = str(exc).strip()
        message = f"{name}{': ' + text if text else ''}{_learner_location(excinfo.tb, root)}"
        if when == "setup":
            message = _("The test could not be prepared: {message}").format(message=message)
    # With asyncio.run() inside a coroutine, the coroutine handed to it never ran: that message says so.
    notes = watcher.notes(root, list(files), unawaited=not nested_run) if watcher else []
    if name == "NotRun":
        notes = []
    elif not nested_run:
        for note in unawaited_coroutines(excinfo.tb, root):
            if note not in notes:
                notes.insert(0, note)
        if watcher is not None and watcher.blocked and _from_timing_check(excinfo.tb):
            # "ran sequentially" is the symptom; the blocking call is the cause: say only that.
            return short_text("\n".join(notes[:3]), 3000)
    if notes:
        message += "\n" + "\n".join(f"→ {note}" for note in notes[:3])
    return short_text(message, 3000)


TIMING_CHECKS = {"expect_concurrent", "expect_waves"}


def _from_timing_check(tb) -> bool:
    """Did an overlap check of awaitlings.testing (expect_concurrent, ...) raise this failure?"""
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in TIMING_CHECKS and "awaitlings" in Path(code.co_filename).parts:
            return True
        tb = tb.tb_next
    return False


def not_run_message() -> str:
    return _("not run: an earlier test of this exercise hung")


def _nested_run(tb, root: Path) -> str:
    """asyncio.run() called where a loop already runs (inside `async def`): say what to write instead."""
    frames = [f for f in traceback.extract_tb(tb) if _under(f.filename, root)]
    line = (frames[-1].line or "").strip() if frames else ""
    instead = "await ..."
    match = re.search(r"asyncio\.run\((.*)\)", line)
    if match:
        try:
            ast.parse(match[1], mode="eval")
            instead = f"await {match[1]}"
        except SyntaxError:
            pass
    return _(
        "asyncio.run() was called inside a coroutine{where}, where an event loop is already running. "
        "asyncio.run() starts a new event loop and belongs only at the program's entry point; inside "
        "`async def`, use `await` instead: `{instead}`."
    ).format(where=_learner_location(tb, root), instead=instead)
