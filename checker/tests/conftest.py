"""Fixtures for the checker's own tests: a private copy of the fixture course per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def course_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the fixture course, selected through AWAITLINGS_ROOT."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root, ignore=shutil.ignore_patterns("__pycache__", ".awaitlings"))
    monkeypatch.setenv("AWAITLINGS_ROOT", str(root))
    return root


def awaitlings(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `awaitlings` command, as a learner would."""
    return subprocess.run(
        [sys.executable, "-m", "awaitlings.cli", *args],
        cwd=cwd or REPO,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
