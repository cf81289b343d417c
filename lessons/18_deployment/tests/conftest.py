"""Fixtures of lesson 18 (course-owned): the capstone's reference project in a private folder, a private
Redis, and the deployment's real processes, started once per run and shared by the tests that only look:
gunicorn (+ uvicorn-worker) and daphne serving deploy.asgi, a Celery worker, and nginx with your config."""

from __future__ import annotations

import os
import shutil
import sys
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


@pytest.fixture(scope="session")
def capstone(tmp_path_factory) -> Path:
    """A copy of lessons/17_capstone with its reference solutions in place (removed after the run)."""
    folder = tmp_path_factory.mktemp("capstone")
    try:
        yield _deploy_stage().capstone_folder(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if not redis_binary():
        pytest.fail("needs redis-server: `sudo apt-get install redis-server` (or `brew install redis`)", pytrace=False)
    with RedisServer(workdir=tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def broker_redis(tmp_path_factory):
    """The Celery broker and result store: a Redis of its own, so exercise 3's Redis outage (of REDIS_URL's)
    doesn't send the shared worker into its 2 s reconnect back-off while exercise 4 waits for it."""
    if not redis_binary():
        pytest.fail("needs redis-server: `sudo apt-get install redis-server` (or `brew install redis`)", pytrace=False)
    with RedisServer(workdir=tmp_path_factory.mktemp("broker")) as server:
        yield server


@pytest.fixture(scope="session")
def app_env(capstone, redis_server, broker_redis, tmp_path_factory) -> dict[str, str]:
    """The environment of every process: deploy.settings, a good SECRET_KEY, the private Redis, a SQLite file."""
    database = tmp_path_factory.mktemp("db") / "db.sqlite3"
    env = _deploy_stage().environment(redis_url=redis_server.url, database_url=f"sqlite:///{database}",
                                      capstone=capstone, deploy_root=target_root())
    # Never anyone else's broker; Celery reads these two before its settings (CELERY_BROKER_URL = REDIS_URL).
    env["CELERY_BROKER_URL"] = env["CELERY_RESULT_BACKEND"] = broker_redis.url
    return env


def start_all(*servers):
    """Start several servers at once (each boots Django: about a second of CPU) and wait for all of them."""
    for server in servers:
        server.start()
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda s: s.wait_ready(), servers))
    return servers


class Stack:
    def __init__(self, gunicorn: ServerProcess, daphne: ServerProcess):
        self.gunicorn, self.daphne = gunicorn, daphne


@pytest.fixture(scope="session")
def deployment(app_env, capstone, request):
    """gunicorn and daphne serving deploy.asgi (yours) and, when a test of this run uses it, a
    `celery -A deploy worker -Q default`, started together (the Django boots overlap) and shared by the tests.
    Exercise 4's tests stop them: they run last."""
    built = _deploy_stage().web_servers(app_env, capstone, deploy_root=target_root())
    servers = (built["gunicorn"], built["daphne"])
    worker = None
    if any("worker" in item.fixturenames for item in request.session.items):  # no worker a run doesn't ask for
        worker = CeleryWorker("deploy", queues=["default"], concurrency=1, name="default", env=app_env, cwd=capstone)
    try:
        if worker:
            worker.start()
        start_all(*servers)
        yield Stack(*servers), worker
    finally:
        for server in servers:
            server.stop()
        if worker:
            worker.stop(grace=0)
            worker.close()


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

