"""The lesson's own demos and files: the compose stack against the Compose specification and against
`awaitlings run 18`, the Dockerfile, a rolling restart under load with 0 failed requests, Flower on the
broker, and `awaitlings run 18` itself."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from importlib import resources
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml

from awaitlings.testing import free_port, lesson_root, load, target_root, wait_for_port
from awaitlings.testing.nginx import Nginx

REPO = lesson_root().parents[1]
COMPOSE = REPO / "docker" / "compose.yml"
DOCKERFILE = REPO / "docker" / "Dockerfile"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _spec_schema() -> dict:
    """The compose-spec JSON schema, as shipped (vendored) by the check-jsonschema package."""
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendor / "compose-spec.json").read_text(encoding="utf-8"))


def test_the_compose_file_follows_the_compose_specification():
    schema = _spec_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(_compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])
    # The validator is real: a typo in a condition or a service key is refused.
    broken = _compose()
    broken["services"]["nginx"]["depends_on"]["gunicorn"]["condition"] = "service_ready"
    broken["services"]["beat"]["replica"] = 1
    assert len(list(validator.iter_errors(broken))) >= 2
    # And the command-line validator a learner can run says the same.
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
                           str(COMPOSE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_stack_has_every_process_with_healthchecks_and_order():
    services = _compose()["services"]
    for name in ("redis", "postgres", "migrate", "gunicorn", "daphne", "w-default", "w-reports", "beat", "flower",
                 "nginx"):
        assert name in services, f"compose has no {name} service"
    beat = services["beat"]
    assert beat.get("deploy", {}).get("replicas") == 1 and sum("beat" in " ".join(s.get("command", []))
                                                              for s in services.values()) == 1
    for name in ("redis", "postgres", "gunicorn", "daphne", "w-default", "w-reports", "flower", "nginx"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert services["nginx"]["depends_on"] == {"gunicorn": {"condition": "service_healthy"},
                                               "daphne": {"condition": "service_healthy"}}
    for name in ("gunicorn", "daphne", "w-default", "w-reports", "beat", "flower"):
        deps = services[name]["depends_on"]
        assert deps["redis"]["condition"] == deps["postgres"]["condition"] == "service_healthy", name
        assert deps["migrate"]["condition"] == "service_completed_successfully", name
    assert "ping" in " ".join(services["w-default"]["healthcheck"]["test"])  # celery inspect ping
    template = services["nginx"]["volumes"][0].split(":")[0]
    assert (COMPOSE.parent / template).resolve() == lesson_root() / "deploy" / "nginx.conf"


def _normalise(cmd: list[str]) -> list[str]:
    """A [run] command as it reads inside a container: no `{python} -m`, every address 0.0.0.0, files in /app/var."""
    if cmd[:2] == ["{python}", "-m"]:
        cmd = cmd[2:]
    return [part.replace("127.0.0.1", "0.0.0.0").replace("{scratch}", "/app/var") for part in cmd]


def test_compose_and_awaitlings_run_start_the_same_processes_with_the_same_commands():
    run = tomllib.loads((lesson_root() / "lesson.toml").read_text(encoding="utf-8"))["run"]
    services = _compose()["services"]
    processes = {p["name"]: p for p in run["processes"]}
    # Infrastructure differs on purpose: Redis's port (6379 in compose, for the other lessons too; 6396 here),
    # PostgreSQL only in compose (SQLite in a file here), nginx from the same template but its own binary.
    app = set(processes) - {"redis", "nginx"}
    assert app == set(services) - {"redis", "postgres", "migrate", "nginx"}, (sorted(app), sorted(services))
    for name in sorted(app):
        assert _normalise(processes[name]["cmd"]) == services[name]["command"], name
        for key, value in processes[name].get("env", {}).items():
            assert services[name]["environment"][key] == value.replace("127.0.0.1", "0.0.0.0"), (name, key)
    # The shared environment names the same variables on both sides.
    compose_env = services["gunicorn"]["environment"]
    for key in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "REDIS_URL", "DATABASE_URL"):
        assert key in run["env"] and key in compose_env, key
    assert run["prepare"] == [["{python}", "-m", "deploy.stage", "prepare", "{scratch}"]]  # runs deploy.release
    assert services["migrate"]["command"] == ["python", "-m", "deploy.release"]


def test_the_dockerfile_is_slim_unprivileged_and_caches_dependencies():
    lines = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.strip().startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    first_code = next(i for i, line in enumerate(lines) if line.startswith("COPY lessons/"))
    install = next(i for i, line in enumerate(lines) if "pip install" in line)
    requirements = next(i for i, line in enumerate(lines) if "requirements.txt" in line and line.startswith("COPY"))
    assert requirements < install < first_code, "dependencies must be installed before the code is copied"
    wanted = {"django", "channels", "channels-redis", "daphne", "celery", "dj-database-url", "redis", "uvicorn",
              "uvicorn-worker", "gunicorn", "flower", "psycopg", "fpdf2"}
    listed = {re.split(r"[\[<>=;]", line)[0].strip().lower()
              for line in (COMPOSE.parent / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    assert wanted <= listed, wanted - listed


@pytest.fixture
def rolling(app_env, capstone):
    from deploy import stage

    servers = stage.web_servers(app_env, capstone, deploy_root=target_root())
    for server in servers.values():
        server.start()
    for server in servers.values():
        server.wait_ready()
    port = free_port()
    nginx = Nginx((target_root() / "deploy" / "nginx.conf").read_text(), port=port, values={
        "LISTEN": f"127.0.0.1:{port}", "GUNICORN": f"127.0.0.1:{servers['gunicorn'].port}",
        "DAPHNE": f"127.0.0.1:{servers['daphne'].port}"})
    try:
        yield servers, nginx.__enter__()
    finally:
        nginx.close()
        for server in servers.values():
            server.stop()


async def test_a_rolling_restart_under_load_fails_no_request_and_every_websocket_resumes(rolling):
    servers, nginx = rolling
    bench = load("bench")
    figures = await bench.rolling_restart(nginx.url, lambda: bench.restart_server(servers["gunicorn"]),
                                          http_clients=3, ws_clients=4, before=0.6, after=1.0)
    summary = figures.summary()
    assert summary["http_requests"] > 50, summary
    assert summary["http_failed"] == 0, summary
    assert set(summary["by_server"]) == {"gunicorn", "daphne"}, summary
    # The clients on the restarted server were told 1001 and came back; everyone echoes again.
    assert summary["ws_close_codes"].get(1001, 0) >= 1 and set(summary["ws_close_codes"]) == {1001}, summary
    assert summary["ws_resumed"] == summary["ws_lost"] == summary["ws_close_codes"][1001], summary
    assert summary["ws_errors"] == 0, summary


def test_flower_watches_the_workers_on_the_broker(app_env, capstone, worker):
    port = free_port()
    flower = subprocess.Popen([sys.executable, "-m", "celery", "-A", "deploy", "flower", "--address=127.0.0.1",
                               f"--port={port}"], cwd=capstone, env={**os.environ, **app_env,
                                                                     "FLOWER_UNAUTHENTICATED_API": "true"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, 20, process=flower)
        assert httpx.get(f"http://127.0.0.1:{port}/healthcheck", timeout=5).text == "OK"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            workers = httpx.get(f"http://127.0.0.1:{port}/api/workers?refresh=1", timeout=10).json()
            if any(name.startswith("default@") for name in workers):
                break
            time.sleep(0.3)
        assert any(name.startswith("default@") for name in workers), workers
    finally:
        os.killpg(flower.pid, signal.SIGTERM)
        flower.wait(timeout=10)


def test_awaitlings_run_18_serves_the_capstone_behind_nginx_and_stops_everything():
    busy = [port for port in (8080, 8001, 8002, 5555, 6396) if _listening(port)]
    if busy:
        pytest.skip(f"ports {busy} are in use (is `awaitlings run 18` already running?)")
    command = shutil.which("awaitlings") or str(Path(sys.executable).parent / "awaitlings")
    run = subprocess.Popen([command, "run", "18", "--solutions", "--duration", "60"],
                           cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 60
        for line in run.stdout:
            seen.append(line)
            if "Ready: open" in line or time.monotonic() > deadline:
                break
        assert any("Ready: open http://127.0.0.1:8080/" in line for line in seen), "".join(seen[-20:])
        assert httpx.get("http://127.0.0.1:8080/login/", timeout=5).status_code == 200
        assert httpx.get("http://127.0.0.1:8080/readyz", timeout=5).json()["ready"] is True
        servers = {httpx.get("http://127.0.0.1:8080/ops/whoami", timeout=5).json()["server"].split("/")[0]
                   for _ in range(4)}
        assert servers == {"gunicorn", "daphne"}
    finally:
        os.kill(run.pid, signal.SIGTERM)
        run.communicate(timeout=30)
    assert not [port for port in (8080, 8001, 8002, 5555, 6396) if _listening(port)]


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
