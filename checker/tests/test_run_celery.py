"""`awaitlings run` with Celery: lesson 12's mini-project (Redis, a worker, uvicorn) answers 202, the
worker finishes the job, and SIGTERM stops every process, the worker's pool included."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from awaitlings.course import Course

from .conftest import REPO


def _post(url: str, body: dict):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.load(response)


def test_run_12_serves_the_job_page_with_a_real_worker_and_stops_everything(tmp_path):
    lesson = Course(REPO).lesson("12")
    base = lesson.run["open"].rstrip("/")
    ports = [p["port"] for p in lesson.run["processes"] if p.get("port")]
    process = subprocess.Popen([sys.executable, "-m", "awaitlings.cli", "run", "12", "--solutions"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "NO_COLOR": "1"}, start_new_session=True)
    output = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, body = _post(f"{base}/api/jobs/", {"steps": 4})
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("the mini-project never answered")
        assert status == 202, body
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{base}{body['status_url']}", timeout=5) as response:
                state = json.load(response)
            if state["state"] == "SUCCESS":
                break
            time.sleep(0.1)
        assert state == {"task_id": body["task_id"], "state": "SUCCESS",
                         "result": {"steps": 4, "sum_of_squares": 14}}, state
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "worker" in output and "ready" in output, output[-2000:]
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"something still listens on {port}"
    left = subprocess.run(["pgrep", "-f", "celery -A config worker --loglevel INFO --concurrency 2"],
                          capture_output=True, text=True).stdout.split()
    assert not left, f"worker processes left running: {left}"
