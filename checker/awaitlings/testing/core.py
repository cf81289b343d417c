"""Load the learner's module, require a name in it, fail with a sentence: what every lesson test uses.

Every failure is an `ExerciseProblem` whose message is shown to the learner as is, so write it as a
sentence: what was expected, what happened."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType

from ..i18n import N_, _

__all__ = ["ExerciseProblem", "fail", "load", "need", "target_root", "lesson_root", "status"]


class ExerciseProblem(AssertionError):
    """A failed expectation, phrased for the learner."""


def fail(message: str) -> None:
    raise ExerciseProblem(message)


def status(what: str) -> None:
    """Say what the test is starting or waiting for now ("starting a Celery worker"): a learner's check
    that runs past a second shows the latest one in a line. Does nothing outside a checker run."""
    from ..session import active

    session = active()
    if session is None:
        return
    from ..protocol import Status

    try:
        session.emit(Status(what=what))
    except Exception:  # noqa: BLE001 - a status line is never worth a failed test
        pass


def target_root() -> Path:
    """The folder holding the files under test (the learner's lesson folder, or an overlay)."""
    env = os.environ.get("AWAITLINGS_TARGET_ROOT")
    if not env:
        raise RuntimeError("awaitlings plugin is not active: run tests through `awaitlings check` or pytest")
    return Path(env)


def lesson_root() -> Path:
    """The course's own lesson folder (fixtures, servers and settings live here)."""
    return Path(os.environ["AWAITLINGS_LESSON_ROOT"])


def _display(path: str | os.PathLike) -> str:
    try:
        return str(Path(path).resolve().relative_to(target_root()))
    except (ValueError, RuntimeError):
        return str(path)


def _module_file(name: str) -> str:
    return name.replace(".", "/") + ".py"


def load(name: str) -> ModuleType:
    """Import the learner's module `name` (e.g. "ex01_gather" or "shop.views") from the target folder.

    Import problems become one clear sentence instead of a traceback."""
    if name in sys.modules:
        return sys.modules[name]
    filename = _module_file(name)
    try:
        return importlib.import_module(name)
    except SyntaxError as error:
        where = _("{file} line {line}").format(file=_display(error.filename or filename), line=error.lineno)
        sys.modules.pop(name, None)
        fail(_("{where} has a syntax error: {error}. Python could not read the file, so nothing in it ran.").format(
            where=where, error=error.msg))
    except SystemExit as error:
        sys.modules.pop(name, None)
        fail(_("{file} called sys.exit({code}) while being imported. Keep top-level code to definitions.").format(
            file=filename, code=repr(error.code)))
    except ModuleNotFoundError as error:
        sys.modules.pop(name, None)
        if error.name == name or name.startswith(f"{error.name}."):
            fail(_("Can't find {file} in {folder}. Did you rename or move it?").format(file=filename, folder=target_root()))
        fail(_("{file} imports {module}, which isn't installed or doesn't exist: {error}").format(
            file=filename, module=repr(error.name), error=error))
    except Exception as error:  # noqa: BLE001 - any import-time crash is the learner's to see
        sys.modules.pop(name, None)
        frame = _last_learner_frame(error)
        fail(_("Importing {file} raised {kind}: {error}").format(file=filename, kind=type(error).__name__, error=error)
             + frame)
    raise AssertionError("unreachable")


def _last_learner_frame(error: BaseException) -> str:
    try:
        root = str(target_root())
    except RuntimeError:
        return ""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(root)]
    if not frames:
        return ""
    frame = frames[-1]
    return " " + _("(at {file} line {line}: {code})").format(file=_display(frame.filename), line=frame.lineno,
                                                              code=(frame.line or "").strip())


_KINDS = {
    "coroutine function": (inspect.iscoroutinefunction, "async def {name}(...)"),
    "async generator": (inspect.isasyncgenfunction, N_("async def {name}(...) with `yield` in it")),
    "function": (callable, "def {name}(...)"),
    "class": (inspect.isclass, "class {name}"),
    "value": (lambda obj: True, "{name} = ..."),
}


# The kinds' names, as `need()` shows them.
_KIND_NAMES = (N_("coroutine function"), N_("async generator"), N_("function"), N_("class"), N_("value"))


def need(module: ModuleType, name: str, kind: str = "function"):
    """Return `module.name`, failing with a clear message when it is missing or of the wrong kind."""
    check, shape = _KINDS[kind]
    filename = _display(module.__file__ or _module_file(module.__name__))
    if not hasattr(module, name):
        fail(_("MISSING: {file} should define `{shape}`, but there is no `{name}` in it.").format(
            file=filename, shape=_(shape).format(name=name), name=name))
    obj = getattr(module, name)
    if not check(obj):
        actual = _("a plain `def`") if inspect.isfunction(obj) else type(obj).__name__
        fail(_("`{name}` in {file} should be `{shape}` ({kind}), but it is {actual}.").format(
            name=name, file=filename, shape=_(shape).format(name=name), kind=_(kind), actual=actual))
    return obj
