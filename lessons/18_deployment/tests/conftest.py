"""Fixtures of lesson 18 (course-owned): the capstone's reference project in a private folder, a private
Redis, and the deployment's real processes, started once per run and shared by the tests that only look:
gunicorn (+ uvicorn-worker) and daphne serving deploy.asgi, a Celery worker, and nginx with your config."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from awaitlings.testing import free_port, target_root
from awaitlings.testing.celery import CeleryWorker
from awaitlings.testing.nginx import Nginx
from awaitlings.testing.redis_server import RedisServer, redis_binary


def _deploy_stage():
    from deploy import stage  # course-owned, imported from the folder under test

    return stage


def _new_redis(folder: Path) -> RedisServer:
    return RedisServer(workdir=folder).start()


def _new_env(capstone: Path, redis_url: str, broker_url: str, database: Path) -> dict[str, str]:
    env = _deploy_stage().environment(redis_url=redis_url, database_url=f"sqlite:///{database}", capstone=capstone,
                                      deploy_root=target_root())
    # Never anyone else's broker; Celery reads these two before its settings (CELERY_BROKER_URL = REDIS_URL).
    env["CELERY_BROKER_URL"] = env["CELERY_RESULT_BACKEND"] = broker_url
    return env


def _new_deployment(env: dict[str, str], capstone: Path, with_worker: bool):
    """gunicorn and daphne (and a worker) started, not yet waited for: their Django boots overlap."""
    built = _deploy_stage().web_servers(env, capstone, deploy_root=target_root())
    servers = (built["gunicorn"], built["daphne"])
    worker = None
    if with_worker:
        worker = CeleryWorker("deploy", queues=["default"], concurrency=1, name="default", env=env, cwd=capstone)
        worker.start()
    for server in servers:
        server.start()
    return servers, worker


def _stop_deployment(servers, worker) -> None:
    for server in servers:
        server.stop()
    if worker:
        worker.stop(grace=0)
        worker.close()


_early: dict = {}  # what the collection hook started before the first test; the fixtures take it from here


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Start the deployment while pytest still sets up, when a selected test will use it: its processes boot
    while the first tests (exercise 1's) run, instead of delaying the first test that needs them. Anything
    that goes wrong here is left to the fixtures, which start it again and explain."""
    used = {name for item in items for name in item.fixturenames}
    if not {"stack", "nginx", "worker"} & used or not redis_binary():
        return
    try:
        root = _early["root"] = Path(tempfile.mkdtemp(prefix="awaitlings-lesson18-"))
        capstone = _early["capstone"] = _deploy_stage().capstone_folder(root / "capstone")
        redis_server = _early["redis_server"] = _new_redis(root)
        broker = _early["broker_redis"] = _new_redis(root)
        env = _early["app_env"] = _new_env(capstone, redis_server.url, broker.url, root / "db.sqlite3")
        _early["deployment"] = _new_deployment(env, capstone, with_worker="worker" in used)
    except Exception:  # noqa: BLE001
        pass


def pytest_sessionfinish(session):
    """What no fixture took (its tests were deselected or skipped) must not outlive the run."""
    if "deployment" in _early:
        _stop_deployment(*_early.pop("deployment"))
    for name in ("redis_server", "broker_redis"):
        if name in _early:
            _early.pop(name).stop()
    if "root" in _early:
        shutil.rmtree(_early.pop("root"), ignore_errors=True)
    _early.clear()


def _need_redis() -> None:
    if not redis_binary():
        pytest.fail("needs redis-server: `sudo apt-get install redis-server` (or `brew install redis`)", pytrace=False)


@pytest.fixture(scope="session")
def capstone(tmp_path_factory) -> Path:
    """A copy of lessons/17_capstone with its reference solutions in place (removed after the run)."""
    if "capstone" in _early:
        yield _early.pop("capstone")  # its folder goes with the run's (pytest_sessionfinish)
        return
    folder = tmp_path_factory.mktemp("capstone")
    try:
        yield _deploy_stage().capstone_folder(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _session_redis(name: str, tmp_path_factory, folder: str):
    """The Redis started early under `name` (or a new one), stopped at the end of the session."""
    _need_redis()
    server = _early.pop(name, None) or _new_redis(tmp_path_factory.mktemp(folder))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """The Redis of REDIS_URL (channel layers, readiness): exercise 3 stops and starts it."""
    yield from _session_redis("redis_server", tmp_path_factory, "redis")


@pytest.fixture(scope="session")
def broker_redis(tmp_path_factory):
    """The Celery broker and result store: a Redis of its own, so exercise 3's Redis outage (of REDIS_URL's)
    doesn't send the shared worker into its 2 s reconnect back-off while exercise 4 waits for it."""
    yield from _session_redis("broker_redis", tmp_path_factory, "broker")


@pytest.fixture(scope="session")
def app_env(capstone, redis_server, broker_redis, tmp_path_factory) -> dict[str, str]:
    """The environment of every process: deploy.settings, a good SECRET_KEY, the private Redis, a SQLite file."""
    return _early.pop("app_env", None) or _new_env(capstone, redis_server.url, broker_redis.url,
                                                   tmp_path_factory.mktemp("db") / "db.sqlite3")


class Stack:
    def __init__(self, gunicorn: ServerProcess, daphne: ServerProcess):
        self.gunicorn, self.daphne = gunicorn, daphne


@pytest.fixture(scope="session")
def deployment(app_env, capstone, request):
    """gunicorn and daphne serving deploy.asgi (yours) and, when a test of this run uses it, a
    `celery -A deploy worker -Q default`, started together (the Django boots overlap; usually while pytest
    was still collecting) and shared by the tests. Exercise 4's tests stop them: they run last."""
    wanted = any("worker" in item.fixturenames for item in request.session.items)  # no worker nobody asks for
    servers, worker = _early.pop("deployment", None) or _new_deployment(app_env, capstone, with_worker=wanted)
    try:
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(lambda s: s.wait_ready(), servers))
        yield Stack(*servers), worker
    finally:
        _stop_deployment(servers, worker)


@pytest.fixture(scope="session")
def stack(deployment) -> Stack:
    return deployment[0]


@pytest.fixture(scope="session")
def worker(deployment) -> CeleryWorker:
    return deployment[1].wait_ready()


def nginx_for(stack: Stack) -> Nginx:
    template = (target_root() / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    port = free_port()
    return Nginx(template, port=port, values={"LISTEN": f"127.0.0.1:{port}", "GUNICORN": f"127.0.0.1:{stack.gunicorn.port}",
                                             "DAPHNE": f"127.0.0.1:{stack.daphne.port}"})


@pytest.fixture(scope="session")
def nginx(stack):
    """nginx with your deploy/nginx.conf, in front of the shared gunicorn and daphne."""
    server = nginx_for(stack)
    try:
        yield server.__enter__()
    finally:
        server.close()


@pytest.fixture
def celery_client(app_env):
    """A Celery app in the test process that sends tasks to and reads results from the run's broker."""
    from celery import Celery

    app = Celery("lesson18-tests", broker=app_env["CELERY_BROKER_URL"], backend=app_env["CELERY_RESULT_BACKEND"])
    yield app
    app.close()


@pytest.fixture
def production_env(monkeypatch, capstone, app_env):
    """The test process itself, set up like a production process (to import deploy.settings in-process)."""
    if str(capstone) not in sys.path:
        monkeypatch.syspath_prepend(str(capstone))
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "REDIS_URL", "DATABASE_URL"):
        monkeypatch.setenv(name, app_env[name])
    for name in [m for m in sys.modules if m == "deploy.settings"]:
        monkeypatch.delitem(sys.modules, name)
    return {name: os.environ[name] for name in
            ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "REDIS_URL", "DATABASE_URL")}

