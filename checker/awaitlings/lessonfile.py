"""lesson.toml, typed: every key a lesson may set, its type and its default (docs/authoring.md explains
each one). A key the model doesn't know is an error naming the file and the key, so a typo such as
`time_limt = 5` fails `awaitlings verify` instead of being silently ignored.

Only course.load_lesson uses this module: it validates once and hands the rest of the checker a plain
dict with every default filled in (`Lesson.meta`). The pytest plugin gets that dict through the run spec
(protocol.py), so a test process never imports pydantic."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_EXAMPLE_TIME_LIMIT = 30.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Process(_Strict):
    """One process of the mini-project (`[[run.processes]]`)."""

    name: str
    cmd: list[str] = Field(min_length=1)  # `{python}` is the interpreter running awaitlings
    port: int | None = None  # `awaitlings run` waits until it listens ...
    ready_log: str | None = None  # ... or, without a port, until its output contains this text
    env: dict[str, str] = {}
    ready_timeout: float = 30.0


class Run(_Strict):
    """The mini-project started by `awaitlings run NN`."""

    description: str = ""
    description_ko: str | None = None  # Korean edition
    open: str | None = None  # the address to open once everything listens
    env: dict[str, str] = {}  # for every process (`{scratch}`: a private folder of this run)
    prepare: list[list[str]] = []  # commands run, in order, before the processes start
    processes: list[Process] = []


class Exercise(_Strict):
    id: str = Field(pattern=r"^ex\d\d_[a-z0-9_]+$")
    title: str = ""  # default: the id
    title_ko: str | None = None  # Korean edition
    files: list[str] = Field(min_length=1)  # editable files, relative to the lesson folder
    tests: list[str] = []  # default: ["tests/test_<id>.py"]
    points: float = 1.0
    hints: list[str] = []
    # Korean edition: one per hint, same order. A shorter list still loads (learners then get the English
    # hints); `awaitlings verify` reports it (verify.korean_problems).
    hints_ko: list[str] | None = None
    needs: list[str] = []  # services besides the lesson's own
    time_limit: float | None = None  # per test, seconds; default: the lesson's
    hidden: bool = False  # batch grading: graded, but its test details never reach learners


class LessonFile(_Strict):
    title: str
    title_ko: str | None = None  # Korean edition
    objectives: list[str] = []
    objectives_ko: list[str] | None = None  # Korean edition
    needs: list[str] = []  # services every exercise needs: "redis", "browser"
    pytest_plugins: list[str] = ["asyncio"]  # "asyncio", "django", or a plugin module
    django_settings: str | None = None  # the settings module, relative to the lesson folder
    celery_app: str | None = None  # Celery lessons: the module `celery -A` loads
    time_limit: float = DEFAULT_TIME_LIMIT  # default per-test limit of the exercises, seconds
    example_time_limit: float = DEFAULT_EXAMPLE_TIME_LIMIT  # per-test limit of tests of no exercise
    parallel_check: bool = True  # false: a learner's check runs the exercises in one process, not two
    check_jobs: int = Field(2, ge=1, le=4)  # how many pytest processes a learner's check spreads exercises over
    run: Run | None = None
    exercises: list[Exercise] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> LessonFile:
        ids = [ex.id for ex in self.exercises]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"exercise ids must be unique: {', '.join(twice)} appear more than once")
        return self


class LessonFileError(ValueError):
    """lesson.toml is not valid; the message names the file and the key."""


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(path: Path, error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = _where(problem["loc"])
        if problem["type"] == "extra_forbidden":
            lines.append(f"unknown key `{where}` (a typo? docs/authoring.md lists every key)")
        elif problem["type"] == "missing":
            lines.append(f"`{where}` is required")
        else:
            message = problem["msg"].removeprefix("Value error, ")
            lines.append(f"`{where}`: {message}" if problem["loc"] else message)
    return f"{path}: " + "; ".join(lines)


def validate(data: dict, path: Path) -> dict:
    """The lesson's metadata with every default filled in; LessonFileError names what is wrong."""
    try:
        model = LessonFile.model_validate(data)
    except ValidationError as error:
        raise LessonFileError(_describe(path, error)) from None
    meta = model.model_dump()
    for ex in meta["exercises"]:
        ex["title"] = ex["title"] or ex["id"]
        ex["tests"] = ex["tests"] or [f"tests/test_{ex['id']}.py"]
        if ex["time_limit"] is None:
            ex["time_limit"] = meta["time_limit"]
    return meta


# path -> (the file's identity when read, its metadata). The warm server reads every lesson.toml once, so
# each check forked from it finds them here instead of parsing 18 files again (about 60 ms); a file
# that changed since is read afresh.
_read_before: dict[str, tuple[tuple[int, int, int], dict]] = {}


def read(path: Path) -> dict:
    """Read and validate one lesson.toml."""
    try:
        stat = path.stat()
        identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        known = _read_before.get(str(path))
        if known and known[0] == identity:
            return copy.deepcopy(known[1])
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LessonFileError(f"{path}: {error}") from None
    meta = validate(data, path)
    _read_before[str(path)] = (identity, copy.deepcopy(meta))
    return meta
