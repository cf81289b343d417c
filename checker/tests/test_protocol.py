"""The contract between runner, sandbox and plugin (protocol.py), and the import rules that keep the
learner's path free of the grading package."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from awaitlings import protocol
from awaitlings.course import Course

from .conftest import REPO


@pytest.fixture
def spec() -> protocol.RunSpec:
    return protocol.RunSpec.for_lesson(Course(REPO).lesson("01"), exercises=("ex01_gather",), report="/tmp/r")


def test_a_run_spec_survives_the_trip_through_the_environment(spec):
    env = {protocol.ENV: spec.replace(skip=("a::b",)).to_json()}
    back = protocol.RunSpec.take_from_env(env)
    assert back == spec.replace(skip=("a::b",)) and protocol.ENV not in env
    assert back.lesson_object().exercise("ex01_gather").files == ("ex01_gather.py",)


def test_the_spec_computes_every_time_limit(spec):
    own = spec.limit("ex01_gather")
    assert own == Course(REPO).lesson("01").exercise("ex01_gather").time_limit
    assert spec.alarm("ex01_gather", "call") == own
    assert spec.alarm("ex01_gather", "setup") == own + protocol.SETUP_GRACE
    assert spec.kill_after("ex01_gather", in_call=True) == own + protocol.HARD_GRACE
    assert spec.limit("lesson") == spec.meta["example_time_limit"]  # tests of no exercise


def test_only_the_selected_exercises_test_modules_are_collected(spec):
    assert [p.rsplit("/", 2)[-2:] for p in spec.test_paths()] == [["tests", "test_ex01_gather.py"]]
    assert spec.replace(exercises=()).test_paths()[0].endswith("01_sync_vs_async/tests")


def test_report_events_round_trip_and_unknown_lines_are_ignored():
    result = protocol.TestResult(nodeid="t::x", name="x", exercise="ex01", outcome="failed", message="m")
    for event in (result, protocol.Collected(tests=[["t::x", "ex01"]]), protocol.Start(nodeid="t::x", time=1.0),
                  protocol.Done(), protocol.GuardFinding(kind="kill", detail="d")):
        assert protocol.decode(json.loads(protocol.encode(event))) == event
    assert json.loads(protocol.encode(result))["event"] == "result"
    assert protocol.decode({"event": "nonsense"}) is None
    assert protocol.decode({"event": "result", "outcome": "passed"}) is None  # fields missing
    assert protocol.decode(["not", "a", "dict"]) is None


def test_signed_lines_verify_in_order_and_tampering_is_rejected():
    key = protocol.new_key()
    signer, verifier = protocol.Signer(key), protocol.Verifier(key)
    first, second = signer('{"event": "done"}'), signer('{"event": "collected", "tests": []}')
    assert verifier.check(first.encode()) == {"event": "done"}
    assert verifier.check(first.encode()) is None  # a replay: the sequence number is spent
    forged = second.replace("collected", "collectex").encode()
    assert verifier.check(forged) is None  # the body changed under its signature
    assert protocol.Verifier(protocol.new_key()).check(signer('{"event": "done"}').encode()) is None  # other key
    assert verifier.check(second.encode()) == {"event": "collected", "tests": []}
    assert verifier.check(b"garbage") is None and verifier.check(b"0" * 64 + b" 2 [1]") is None


def _imports(code: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_the_learners_path_imports_nothing_from_grading():
    loaded = _imports("import awaitlings.cli, awaitlings.runner, awaitlings.plugin, awaitlings.warm, "
                      "awaitlings.testing, awaitlings.testing.fixtures, awaitlings.forkserver")
    assert not [m for m in loaded if m.startswith("awaitlings.grading")]


def test_the_guard_does_not_import_the_plugin():
    assert "awaitlings.plugin" not in _imports("import awaitlings.grading.guard")


def test_a_test_process_never_imports_pydantic():
    assert "pydantic" not in _imports("import awaitlings.plugin, awaitlings.testing.fixtures")
