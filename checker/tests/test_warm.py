"""The warm server (awaitlings.warm): checks forked from it give the same results as a fresh Python, and
nothing it starts outlives the check that asked for it. (The misbehaving lesson runs warm too, in
test_bad_learner_code.py.)"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from awaitlings import warm
from awaitlings.testing import free_port, wait_for_port

from .conftest import awaitlings, private_warm_server


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ")[1].startswith("Z"):
                    return True  # dead, waiting to be reaped
        except (FileNotFoundError, ProcessLookupError):  # (gone between the open and the read: ESRCH)
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def server(tmp_path, course_copy):
    with private_warm_server(course_copy) as path:
        yield path


def test_a_check_through_the_warm_server_scores_like_a_fresh_one(server, course_copy, monkeypatch):
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text(
        (course_copy / "solutions/02_tiny/ex01_add.py").read_text())
    monkeypatch.setenv("AWAITLINGS_WARM", "1")
    warm_run = json.loads(awaitlings("check", "01", "--json").stdout)
    warm_tiny = json.loads(awaitlings("check", "02", "--json").stdout)
    assert warm.status(course_copy)["runs"] >= 3, "the checks did not run in the warm server"
    monkeypatch.setenv("AWAITLINGS_WARM", "0")
    fresh_run = json.loads(awaitlings("check", "01", "--json").stdout)

    def verdicts(data):
        return {t["name"]: (t["status"], t["score"]) for t in data["tests"]}

    assert verdicts(warm_run) == verdicts(fresh_run)
    assert warm_tiny["score"] == warm_tiny["max_score"] == 1


def test_the_awaitlings_command_hands_a_check_to_the_warm_server(server, course_copy, monkeypatch):
    monkeypatch.setenv("AWAITLINGS_WARM", "1")
    before = warm.status(course_copy)["runs"]
    warm_run = awaitlings("check", "02")
    forked = warm.status(course_copy)["runs"] - before
    monkeypatch.setenv("AWAITLINGS_WARM", "0")
    fresh_run = awaitlings("check", "02")

    def without_numbers(text):  # times, and the test's random arguments
        return re.sub(r"\d+", "N", text)

    assert forked == 2, "the CLI and its one pytest process should both have run in the warm server"
    assert warm_run.returncode == fresh_run.returncode == 1  # the starter fails
    assert without_numbers(warm_run.stdout) == without_numbers(fresh_run.stdout)
    assert "ex01_add" in warm_run.stdout


def test_ctrl_c_stops_a_warm_check_and_everything_it_started(server, course_copy, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # ex09 ignores its time limit: its pytest process would run for seconds more on its own.
    check = subprocess.Popen([sys.executable, "-m", "awaitlings.entry", "check", "01", "-e", "ex09_unstoppable"],
                             env={**os.environ, "AWAITLINGS_WARM": "1", "NO_COLOR": "1", "TMPDIR": str(scratch)},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 20
    while warm.status(course_copy)["running"] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # until the CLI has started its pytest process
    assert warm.status(course_copy)["running"] == 2, "the check did not start in the warm server"
    check.send_signal(signal.SIGINT)
    assert check.wait(timeout=5) == 130
    deadline = time.monotonic() + 5
    while warm.status(course_copy)["running"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert warm.status(course_copy)["running"] == 0, "the check's processes outlived it"
    # The CLI was told, not killed: it stopped its own run and cleaned up after it.
    assert list(scratch.iterdir()) == [], "the check left its working files behind"
    check.stdout.close()


def test_the_cli_shows_and_stops_the_warm_server(server, course_copy, monkeypatch):
    monkeypatch.setenv("AWAITLINGS_WARM", "1")
    shown = awaitlings("warm")
    assert shown.returncode == 0 and "Warm server pid" in shown.stdout and str(server) in shown.stdout
    assert "warm checks" in awaitlings("doctor").stdout
    monkeypatch.setenv("AWAITLINGS_WARM", "0")
    assert "off" in awaitlings("warm", "start").stdout


def test_a_child_dies_when_whoever_asked_for_it_goes_away(server, course_copy, tmp_path):
    log = open(tmp_path / "log", "wb")
    process = warm.spawn(server, [sys.executable, "-m", "http.server", str(free_port()), "--bind", "127.0.0.1"],
                         tmp_path, dict(os.environ), None, log, subprocess.STDOUT)
    assert process is not None and process.poll() is None
    pid = process.pid
    process.conn.close()  # as when `awaitlings check` is killed: the lifeline is cut
    assert _gone(pid), "the child outlived its connection"


def test_a_server_child_serves_and_stops_like_popen(server, course_copy, tmp_path):
    port = free_port()
    log = open(tmp_path / "log", "wb")
    process = warm.spawn(server, [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                         tmp_path, {**os.environ, "PYTHONUNBUFFERED": "1"}, None, log, subprocess.STDOUT)
    wait_for_port(port, 10, process=process)
    (tmp_path / "hello.txt").write_text("hello from a forked child")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello.txt", timeout=5) as response:
        assert response.read() == b"hello from a forked child"
    assert os.getpgid(process.pid) == process.pid, "a child leads its own process group, as start_new_session"
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=5) == -signal.SIGTERM
    assert b"GET /hello.txt" in (tmp_path / "log").read_bytes()


def test_what_cannot_run_warm_runs_the_ordinary_way(server, course_copy, tmp_path):
    launch = warm.launcher(server)
    code = "import sys; print('plain', sys.argv[1:])"
    done = launch([sys.executable, "-c", code, "x"], cwd=tmp_path, env=dict(os.environ), stdout=subprocess.PIPE)
    assert isinstance(done, subprocess.Popen)
    assert done.communicate(timeout=30)[0].strip() == b"plain ['x']"
    other_python = warm.spawn(server, ["/usr/bin/env", "-m", "pytest"], tmp_path, dict(os.environ))
    assert other_python is None


def test_a_folder_others_can_write_to_is_refused(tmp_path, monkeypatch):
    import shutil
    import tempfile

    runtime = tempfile.mkdtemp(prefix="aw-")  # short, so it is the one chosen
    try:
        shared = os.path.join(runtime, f"awaitlings-{os.getuid()}")
        os.mkdir(shared)
        os.chmod(shared, 0o777)
        monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
        monkeypatch.setenv("AWAITLINGS_WARM", "1")
        assert warm.start(tmp_path) is None  # others could plant a socket there: no warm checks
        assert os.listdir(shared) == []
    finally:
        shutil.rmtree(runtime)


SLOW_CLEAN_UP = '''
import os, time
import pytest

@pytest.fixture(scope="session", autouse=True)
def slow_service():
    yield
    time.sleep(2)  # a server or worker that takes its time to stop
    with open(os.environ["CLEAN_UP_MARKER"], "w") as marker:
        marker.write("stopped")
'''


def test_a_check_answers_before_the_session_clean_up_which_still_runs_to_the_end(server, course_copy, tmp_path):
    (course_copy / "lessons/02_tiny/tests/conftest.py").write_text(SLOW_CLEAN_UP)
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text(
        (course_copy / "solutions/02_tiny/ex01_add.py").read_text())
    scratch, marker = tmp_path / "tmp", tmp_path / "stopped"
    scratch.mkdir()
    check = subprocess.run([sys.executable, "-m", "awaitlings.entry", "check", "02", "--json"],
                           env={**os.environ, "AWAITLINGS_WARM": "1", "TMPDIR": str(scratch),
                                "CLEAN_UP_MARKER": str(marker)}, capture_output=True, text=True, timeout=60)
    assert json.loads(check.stdout)["score"] == 1, check.stdout + check.stderr
    assert not marker.exists(), "the check waited for the session's clean-up"
    deadline = time.monotonic() + 20
    while (not marker.exists() or list(scratch.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == "stopped", "the clean-up was cut short"
    assert list(scratch.iterdir()) == [], "the run's folder outlived its clean-up"


def test_a_detached_child_is_killed_at_its_limit_and_its_folder_removed(server, course_copy, tmp_path):
    folder = tmp_path / "awaitlings-run-test"
    folder.mkdir()
    process = warm.spawn(server, [sys.executable, "-m", "http.server", str(free_port()), "--bind", "127.0.0.1"],
                         tmp_path, dict(os.environ), None, None, None)
    assert process is not None and process.detach(0.5, folder)
    process.conn.close()  # the caller goes away: a detached child is no longer tied to it
    assert not _gone(process.pid, within=0.3), "a detached child was killed with its caller"
    assert _gone(process.pid, within=10), "a detached child outlived its limit"
    deadline = time.monotonic() + 5
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not folder.exists()


def test_a_superseded_server_finishes_its_checks_in_flight_then_ends(server, course_copy, tmp_path):
    """A newer server for the same course (a checker change, another copy of the checker) retires the old
    one: the old one takes no new checks, but a check already running there still ends as it would."""
    pid = warm.status(course_copy)["pid"]
    marker = tmp_path / "finished"
    slow = f"time.sleep(0.8); pathlib.Path({str(marker)!r}).write_text('done')"  # (only `-m` runs warm)
    process = warm.spawn(server, [sys.executable, "-m", "timeit", "-n1", "-r1", "-s", "import time, pathlib", slow],
                         tmp_path, dict(os.environ), None, None, None)
    assert process is not None
    assert warm._ask(server, {"retire": True}) == {"retiring": True}
    assert not server.exists(), "a retired server still takes new checks"
    assert process.wait(timeout=10) == 0 and marker.read_text() == "done", "the check in flight was cut short"
    assert _gone(pid, within=5), "the retired server outlived its last check"
    assert warm.wait_ready(warm.start(course_copy), 60), "no new server took over"  # (the fixture stops it)
