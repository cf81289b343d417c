"""Shared by the test_grade_*.py modules: the regression set of hostile submissions, composed."""

from __future__ import annotations

import os
import shutil
import time
import tomllib
from pathlib import Path

from .conftest import FIXTURE_COURSE

SUBMISSIONS = Path(__file__).parent / "fixtures" / "submissions"
EXPECTED = tomllib.loads((SUBMISSIONS / "expected.toml").read_text())
COURSE = FIXTURE_COURSE.resolve()


def compose(into: Path, name: str, probes: list[Path] = ()) -> Path:
    """`good/` with the files of attacks/NAME laid over it (links kept as links)."""
    folder = into / name
    shutil.copytree(SUBMISSIONS / "good", folder, symlinks=True)
    attack = SUBMISSIONS / "attacks" / name
    if attack.is_dir():
        for path in attack.rglob("*"):
            rel = path.relative_to(attack)
            dest = folder / rel
            if path.is_dir() and not path.is_symlink():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            if dest.exists() or dest.is_symlink():
                dest.unlink()
            if path.is_symlink():
                dest.symlink_to(os.readlink(path))
            else:
                shutil.copy2(path, dest)
    if probes:
        module = folder / "lessons" / "01_demo" / "ex01_ok.py"
        text = module.read_text()
        module.write_text(text.replace('PROBES = [', "PROBES = [" + "".join(f"{str(p)!r}, " for p in probes), 1))
    return folder


def processes_in(workdir: Path, settle: float = 3.0) -> list[str]:
    """Processes still alive whose working directory is inside `workdir` (a batch's own job folders;
    there must be none after the batch). Other grading runs on the machine use other workdirs. A pid
    namespace dies asynchronously: give its processes a moment to be reaped."""
    deadline = time.monotonic() + settle
    prefix = str(workdir.resolve())
    while True:
        alive = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
                state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
                args = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if cwd.startswith(prefix) and state != "Z":
                alive.append(f"{pid} {state} {cwd} {args[:200]}")
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def check_expected(result: dict, name: str) -> None:
    want = EXPECTED[name]
    scores = {ex["id"]: (ex["score"], ex["max_score"]) for ex in result["exercises"]}
    details = "; ".join(f"{f}: {result['flag_details'].get(f, '')[:200]}" for f in result["flags"])
    for ex_id, (score, maximum) in scores.items():
        if "*" in want["zero"] or ex_id in want["zero"]:
            assert score == 0, f"{name}: {ex_id} should score 0, got {score} ({details})"
        else:
            assert score == maximum, f"{name}: {ex_id} should keep full marks, got {score}/{maximum} " + \
                _why(result, ex_id) + f" ({details})"
    assert result["score"] == want["score"], f"{name}: total {result['score']}, expected {want['score']} ({details})"
    missing = set(want["flags"]) - set(result["flags"])
    assert not missing, f"{name}: flags {result['flags']} lack {sorted(missing)} ({details})"
    assert "infra-error" not in result["flags"], f"{name}: {details}"


def _why(result: dict, ex_id: str) -> str:
    ex = next(e for e in result["exercises"] if e["id"] == ex_id)
    failed = [t for t in ex["tests"] if t["outcome"] != "passed"]
    return ex["problem"][:300] if ex["problem"] else (failed[0]["message"][:300] if failed else "")
