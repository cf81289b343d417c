"""Fixtures for the checker's own tests: a private copy of the fixture course per test."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# A check from these tests starts no warm server (awaitlings.warm) unless a test asks for one: each test
# has its own course copy, and a server per copy would only idle until it timed out.
os.environ["AWAITLINGS_WARM"] = "0"
# Messages in English unless a test asks for Korean (test_i18n.py), whatever the machine's locale.
os.environ["AWAITLINGS_LANG"] = "en"

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_warm_server_after_a_test():
    """Whatever a test did to AWAITLINGS_WARM (monkeypatch and private_warm_server both restore it, in an
    order that depends on fixture order), the next test starts with warm checks off again."""
    yield
    os.environ["AWAITLINGS_WARM"] = "0"


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
        [sys.executable, "-m", "awaitlings.entry", *args],
        cwd=cwd or REPO,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def private_warm_server(root: Path):
    """A warm server for `root` in a private runtime folder, stopped (and checked gone) afterwards."""
    import tempfile

    from awaitlings import warm

    runtime = Path(tempfile.mkdtemp(prefix="aw-"))  # short: a socket's path holds at most 107 bytes
    saved = {k: os.environ.get(k) for k in ("AWAITLINGS_WARM", "XDG_RUNTIME_DIR")}
    os.environ.update(AWAITLINGS_WARM="1", XDG_RUNTIME_DIR=str(runtime))
    try:
        path = warm.start(root)
        assert warm.wait_ready(path, 60), "the warm server did not start"
        yield path
        pid = warm.status(root)["pid"]
        assert warm.stop(root) == 1
        for _ in range(100):
            if not os.path.exists(f"/proc/{pid}") or " Z " in open(f"/proc/{pid}/stat").read():
                break
            import time

            time.sleep(0.05)
        else:
            raise AssertionError("the warm server did not exit when stopped")
        assert not path.exists()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(runtime, ignore_errors=True)
