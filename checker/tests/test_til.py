"""`awaitlings til`: a TIL draft holds only what really happened: numbers the learner's checks and notebook
measured, the failure messages they saw, the hints they saw, their own passing code."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from awaitlings import protocol
from awaitlings.til import excerpt_of, number

from .conftest import REPO, awaitlings

LESSON = "01_sync_vs_async"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture
def lesson01(tmp_path, monkeypatch) -> Path:
    """A learner's clone with lesson 01 only (starters as shipped), selected through AWAITLINGS_ROOT."""
    root = tmp_path / "course"
    (root / "checker" / "awaitlings" / "starters").mkdir(parents=True)
    shutil.copy(REPO / "pyproject.toml", root)
    shutil.copytree(REPO / "lessons" / LESSON, root / "lessons" / LESSON,
                    ignore=shutil.ignore_patterns("__pycache__", ".awaitlings"))
    shutil.copy(REPO / "checker" / "awaitlings" / "starters" / f"{LESSON}.json",
                root / "checker" / "awaitlings" / "starters")
    monkeypatch.setenv("AWAITLINGS_ROOT", str(root))
    return root


def progress_of(root: Path) -> dict:
    return json.loads((root / ".awaitlings" / "progress.json").read_text())


def section(draft: str, heading: str) -> str:
    return draft.split(f"## {heading}\n", 1)[1].split("\n#", 1)[0]


def test_the_draft_quotes_only_what_the_learners_checks_measured_saw_and_passed_with(lesson01):
    learner_file = lesson01 / "lessons" / LESSON / "ex01_gather.py"

    # 1. The starter's sequential answer: a real check measures it and shows a failure message.
    first = awaitlings("check", "01", "-e", "ex01_gather")
    assert first.returncode == 1, first.stdout + first.stderr
    entry = progress_of(lesson01)["exercises"][f"{LESSON}/ex01_gather"]
    sequential = entry["measurements"]
    assert sequential["fetch_all: speed-up"]["value"] < 1.5  # it really ran one call after another
    assert entry["mistakes"] and all(m in first.stdout for m in entry["mistakes"])

    # 2. A hint, then a fixed answer of the learner's own.
    hint = awaitlings("hint", "ex01_gather").stdout
    fixed = learner_file.read_text().replace(
        "    results = []\n    for url in urls:\n", "    # mine: every fetch at once\n"
        "    return list(await asyncio.gather(*(fetch(u) for u in urls)))\n    results = []\n    for url in urls:\n")
    learner_file.write_text(fixed)
    second = awaitlings("check", "01", "-e", "ex01_gather")
    assert second.returncode == 0, second.stdout + second.stderr
    entry = progress_of(lesson01)["exercises"][f"{LESSON}/ex01_gather"]
    measured = entry["measurements"]
    assert measured["fetch_all: speed-up"]["value"] > 2  # the last value per name: the concurrent run's
    assert set(measured) == set(sequential)

    draft = awaitlings("til", "01", "--lang", "en").stdout
    # Every number under "Measured" is a recorded one (or its date), and every recorded one is there.
    shown = section(draft, "Measured")
    recorded = {number(m["value"]) for m in measured.values()}
    dates = {m["date"] for m in measured.values()}
    assert set(NUMBER.findall(re.sub(r"\d{4}-\d\d-\d\d", "", shown))) <= recorded | {"01"}  # (ex01_gather)
    for name, m in measured.items():
        assert f"**{number(m['value'])}" in shown, (name, shown)
    assert all(date in shown for date in dates)
    # The mistakes are messages the learner saw; the hint is the one they saw; the code is theirs.
    mistakes = section(draft, "Mistakes I made and fixed")
    assert "(fixed)" in mistakes
    for message in entry["mistakes"]:
        assert message in mistakes and message in first.stdout
    assert entry["hints_seen"] == 1
    hints = section(draft, "Hints I used")
    shown_hint = hints.split("1. ", 1)[1].strip()
    assert shown_hint in hint and "2. " not in hints
    code = draft.split("```python\n", 1)[1].split("```", 1)[0]
    assert "# mine: every fetch at once" in code and "async def fetch_all(fetch, urls):" in code
    assert all(line in fixed.splitlines() for line in code.splitlines())
    assert "async def main" not in code and "--8<--" not in code and len(code.splitlines()) <= 25

    korean = awaitlings("til", "01", "--lang", "ko").stdout
    assert "## 측정해 본 것" in korean and "## 회고" in korean and "toc_sticky: true" in korean
    assert f"**{number(measured['fetch_all: speed-up']['value'])}×**" in korean
    assert "빨라진 배수" in korean and "(고침)" in korean


def test_with_nothing_recorded_the_draft_has_no_number_and_no_invented_mistakes(course_copy):
    draft = awaitlings("til", "02").stdout
    for heading in ("Measured", "Mistakes I made and fixed", "Hints I used", "My passing code"):
        assert not NUMBER.search(section(draft, heading)), (heading, draft)
    assert "(nothing measured yet" in draft and "(no failed check recorded)" in draft
    # A passing check of a lesson whose tests time nothing still records no number.
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text("async def add(a, b):\n    return a + b\n")
    awaitlings("check", "02")
    draft = awaitlings("til", "02").stdout
    assert not NUMBER.search(section(draft, "Measured"))
    assert "return a + b" in draft.split("```python\n", 1)[1]


def test_a_notebook_number_is_remembered_for_the_draft_and_remember_is_harmless_elsewhere(course_copy, tmp_path,
                                                                                       monkeypatch):
    from awaitlings.til import remember

    assert remember("02", "sum of two, as a ratio", 3.14159, "×") is None
    recorded = progress_of(course_copy)["notebooks"]["02_tiny"]["sum of two, as a ratio"]
    assert recorded["value"] == 3.1416
    draft = awaitlings("til", "02").stdout
    assert f"- sum of two, as a ratio: **{number(3.1416)}×** (my run of notebooks/02_tiny.ipynb" in draft

    elsewhere = tmp_path / "not-a-course"
    elsewhere.mkdir()
    monkeypatch.setenv("AWAITLINGS_ROOT", str(elsewhere))
    remember("01", "anything", 2.0, "×")  # no course here: nothing happens, nothing raises
    remember("01", "anything", float("nan"))
    assert list(elsewhere.iterdir()) == []


def test_record_measurement_outside_a_checker_run_does_nothing_and_the_event_round_trips():
    from awaitlings.testing import record_measurement

    record_measurement("anything", 1.0, "s")
    event = protocol.Measurement(nodeid="t.py::test", name="fetch_all: speed-up", value=4.2, unit="×")
    assert protocol.decode(json.loads(protocol.encode(event))) == event


def test_the_excerpt_is_the_changed_functions_without_markers():
    starter = "import asyncio\n\n\nasync def work():\n    return None\n\n\ndef main():\n    print(1)\n"
    mine = ("import asyncio\n\n\n# --8<-- [start:x]\nasync def work():\n    return 42\n# --8<-- [end:x]\n\n\n"
            "def main():\n    print(1)\n")
    from awaitlings.reader import strip_markers

    assert excerpt_of(strip_markers(mine), starter) == ["async def work():", "    return 42"]
    long = "def f():\n" + "".join(f"    x{i} = {i}\n" for i in range(40))
    assert len(excerpt_of(long)) == 25
