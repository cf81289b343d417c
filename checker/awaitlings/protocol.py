"""The contract between whoever starts a lesson's pytest process and the plugin inside it.

    runner / sandbox --RunSpec (one env var, JSON)--> pytest + awaitlings.plugin
    runner / relay  <--report events (JSON lines, signed when grading)--

- `RunSpec`: everything a run needs, written once by the runner (the sandbox adds the report pipe and
  the guard mode): the lesson and its validated lesson.toml, whose files (target), which exercises,
  which tests already have a result, the time limits, where to report and how to sign. The plugin reads
  it back instead of working the lesson out again from paths and options. Plain `pytest lessons/NN`
  has no spec: the plugin builds one from its options (plugin.py).
- Report events (`Collected`, `Start`, `Call`, `Result`, ...): one dataclass per line kind, one
  `encode` and one `decode`, so the plugin and the runner can't drift apart on the format.
- Time limits: `RunSpec.limit` and the grace periods below are the only place a limit is computed; the
  plugin's alarm and the runner's kill timer both ask here.
- Signing: `sign` / `Signer` / `Verifier` are the only implementation of the `<hmac> <seq> <json>` line
  format (the plugin signs, grading/integrity.py verifies outside the sandbox).

This module imports only the standard library: it is loaded in every test process."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

ENV = "AWAITLINGS_RUN"  # the RunSpec, as JSON; the plugin removes it before any test runs
PYTEST_PLUGINS = {"asyncio": "pytest_asyncio.plugin", "django": "pytest_django.plugin"}

# Time limits, in seconds on top of a test's own limit (lesson.toml `time_limit`):
SETUP_GRACE = 30.0  # setup may start session services (servers, Redis) for the tests after it
TEARDOWN_GRACE = 5.0
HARD_GRACE = 5.0  # past the plugin's alarm, the runner kills the process group
COLLECT_LIMIT = 60.0  # start-up and collection (Django set-up, imports) before the first test starts
EXIT_GRACE = 5.0  # after the last result, for the process to exit before it is killed
KEY_BYTES = 32


# --- the run spec ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    root: str  # the course root
    lesson: str  # its slug, e.g. "01_sync_vs_async"
    meta: dict = field(repr=False)  # lesson.toml as course.load_lesson validated it
    target: str = "learner"  # learner | solutions | starter | a submission folder
    exercises: tuple[str, ...] = ()  # only these exercises' tests; () = every test, examples included
    skip: tuple[str, ...] = ()  # node ids already reported by an earlier attempt of the same run
    report: str = ""  # append report lines to this file ...
    report_fd: int | None = None  # ... or write them to this inherited pipe (grading)
    key_fd: int | None = None  # grading: the signing key, read once from this pipe
    guard: str = ""  # grading: the guard's mode ("grade" | "manifest", plus ",block-kill" / ",namespaced")
    timeouts: bool = True  # per-test time limits (off: --awaitlings-no-timeout)
    scratch: str = ""  # a private folder for the run, made and removed by the runner ("": the plugin makes one)

    # -- building and passing on --

    @classmethod
    def for_lesson(cls, lesson, **fields) -> RunSpec:
        return cls(root=str(lesson.root), lesson=lesson.slug, meta=lesson.meta, **fields)

    def replace(self, **fields) -> RunSpec:
        return dataclasses.replace(self, **fields)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        data = json.loads(text)
        for name in ("exercises", "skip"):
            data[name] = tuple(data.get(name, ()))
        return cls(**data)

    @classmethod
    def take_from_env(cls, environ=os.environ) -> RunSpec | None:
        """The spec this process was started with, removed from the environment (servers and workers the
        tests start must not find the report pipe's number there)."""
        text = environ.pop(ENV, None)
        return cls.from_json(text) if text else None

    def lesson_object(self):
        """The course.Lesson, rebuilt from the validated metadata (lesson.toml is not read again)."""
        from .course import Lesson

        return Lesson(root=Path(self.root), slug=self.lesson, meta=self.meta)

    # -- what to run --

    def test_paths(self) -> list[str]:
        """The selected exercises' test modules (collecting only them saves start-up time), or the whole
        tests folder."""
        folder = Path(self.root) / "lessons" / self.lesson
        if self.exercises:
            chosen = [folder / rel for ex in self.meta["exercises"] if ex["id"] in self.exercises
                      for rel in ex["tests"]]
            paths = [str(p) for p in chosen if p.is_file()]
            if paths:
                return paths
        return [str(folder / "tests")]

    # -- time limits --

    def limit(self, exercise: str) -> float:
        """A test's own limit: its exercise's, or `example_time_limit` for tests of no exercise."""
        for ex in self.meta["exercises"]:
            if ex["id"] == exercise:
                return float(ex["time_limit"])
        return float(self.meta["example_time_limit"])

    def alarm(self, exercise: str, phase: str) -> float:
        """The plugin's in-process limit for one phase of a test ("setup", "call", "teardown")."""
        return self.limit(exercise) + {"setup": SETUP_GRACE, "call": 0.0, "teardown": TEARDOWN_GRACE}[phase]

    def cleanup_limit(self) -> float:
        """How long the session's clean-up after `Settled` may run on (in the background) before it is killed."""
        longest = max([self.limit(ex["id"]) for ex in self.meta["exercises"]] + [self.limit("lesson")])
        return longest + TEARDOWN_GRACE + HARD_GRACE + EXIT_GRACE

    def kill_after(self, exercise: str, in_call: bool) -> float:
        """The runner's hard limit: past the plugin's alarm, the process can't be interrupted any more."""
        return self.limit(exercise) + HARD_GRACE + (0.0 if in_call else SETUP_GRACE)


# --- report events -----------------------------------------------------------------------------------


@dataclass
class TestResult:
    """The one result of one test, as the plugin reports it and the runner and grader keep it."""

    __test__: ClassVar[bool] = False  # not a pytest test class
    event: ClassVar[str] = "result"
    nodeid: str
    name: str
    exercise: str
    outcome: str  # passed | failed | skipped
    message: str = ""
    details: str = ""
    output: str = ""
    duration: float = 0.0


@dataclass
class Collected:
    event: ClassVar[str] = "collected"
    tests: list  # [[nodeid, exercise id], ...] in run order


@dataclass
class CollectError:
    event: ClassVar[str] = "collect_error"
    nodeid: str
    message: str


@dataclass
class Start:
    event: ClassVar[str] = "start"
    nodeid: str
    time: float


@dataclass
class Call:
    """Setup is over: from here on the test's own limit applies (see RunSpec.kill_after)."""

    event: ClassVar[str] = "call"
    nodeid: str


@dataclass
class Done:
    event: ClassVar[str] = "done"


@dataclass
class Settled:
    """Every result is final: the last test and its own fixtures are done. What is left is the session's
    clean-up (servers, workers, a test database), which a learner's check need not wait for."""

    event: ClassVar[str] = "settled"


@dataclass
class Manifest:
    """Grading (guard.py): every collected test, its exercise and whether it is hidden, plus the canary."""

    event: ClassVar[str] = "manifest"
    tests: list
    canary: str | None = None


@dataclass
class GuardFinding:
    event: ClassVar[str] = "guard"
    kind: str
    detail: str


@dataclass
class Measurement:
    """A number a test really measured (`awaitlings.testing.record_measurement`), for the learner's TIL draft."""

    event: ClassVar[str] = "measurement"
    nodeid: str
    name: str
    value: float
    unit: str = ""


@dataclass
class Status:
    """What a test is starting or waiting for right now (a worker, a server, a browser): a check that runs
    past a second shows it in one line (`awaitlings.testing.status`)."""

    event: ClassVar[str] = "status"
    what: str


EVENTS = {cls.event: cls for cls in (TestResult, Collected, CollectError, Start, Call, Done, Settled, Manifest,
                                     GuardFinding, Measurement, Status)}


def encode(event) -> str:
    return json.dumps({"event": event.event, **dataclasses.asdict(event)})


def decode(record: dict):
    """The event a decoded report line holds, or None for a line of no known kind (or missing fields)."""
    cls = EVENTS.get(record.get("event")) if isinstance(record, dict) else None
    if cls is None:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in record.items() if k in names})
    except TypeError:
        return None


# --- signed report lines -----------------------------------------------------------------------------


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def sign(key: bytes, seq: int, line: str) -> str:
    """`<hmac> <seq> <json>`: the sequence number makes a replayed or dropped line detectable."""
    body = f"{seq} {line}"
    return _mac(key, body.encode()) + " " + body


class Signer:
    """The plugin's side: signs each line with the next sequence number."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._seq = itertools.count()

    def __call__(self, line: str) -> str:
        return sign(self.key, next(self._seq), line)


class Verifier:
    """The grader's side: a line counts only with a valid signature and the next sequence number."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._next = 0

    def check(self, raw: bytes) -> dict | None:
        try:
            mac, seq, body = raw.rstrip(b"\n").split(b" ", 2)
            expected = _mac(self.key, seq + b" " + body).encode()
            if not hmac.compare_digest(mac, expected) or int(seq) != self._next:
                return None
            record = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(record, dict):
            return None
        self._next += 1
        return record
