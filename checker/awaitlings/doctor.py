"""`awaitlings doctor`: what is installed and reachable, and how to get what is missing."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from importlib import metadata
from urllib.parse import urlparse

from . import ui
from .course import Course
from .i18n import N_, _

PACKAGES = ["django", "channels", "channels-redis", "daphne", "uvicorn", "celery", "redis", "httpx", "pytest",
            "pytest-asyncio", "pytest-django", "nbval", "jupyter", "matplotlib", "playwright"]


def _line(ok: bool | None, what: str, detail: str = "") -> None:
    mark = ui.TICK if ok else ui.yellow("!") if ok is None else ui.CROSS
    print(f"  {mark} {what:<22} {ui.dim(detail)}")


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _celery_line(url: str | None, server: str | None) -> None:
    """Start a real worker (a one-task app) on REDIS_URL or a private Redis, and round-trip a task."""
    if not (url or server):
        _line(None, _("celery worker"), _("not tried: no Redis to use as its broker"))
        return
    import tempfile
    import time
    from pathlib import Path

    from .testing.celery import CeleryWorker
    from .testing.redis_server import RedisServer

    started = time.perf_counter()
    redis = None
    try:
        with tempfile.TemporaryDirectory(prefix="awaitlings-doctor-") as scratch:
            if not url:
                redis = RedisServer(workdir=Path(scratch)).start()
            broker = url or redis.url
            env = {"REDIS_URL": broker, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker}
            with CeleryWorker("awaitlings.testing.celery_probe", cwd=Path(scratch), env=env, ready_timeout=15,
                              name="doctor") as worker:
                from .testing import celery_probe

                celery_probe.app.conf.update(broker_url=broker, result_backend=broker)
                answer = celery_probe.ping.delay().get(timeout=10)
                worker.stop(grace=5)
        _line(answer == "pong", _("celery worker"),
              (_("started, reached REDIS_URL and ran a task in {seconds} s") if url else
               _("started, reached a private Redis and ran a task in {seconds} s")).format(
                  seconds=f"{time.perf_counter() - started:.1f}"))
    except Exception as error:  # noqa: BLE001 - doctor reports, never crashes
        _line(False, _("celery worker"), f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
    finally:
        if redis is not None:
            redis.stop()


def doctor(course: Course) -> int:
    print(ui.bold("awaitlings doctor"))
    _line(sys.version_info >= (3, 11), "python", _("{version} at {path}").format(
        version=sys.version.split()[0], path=sys.executable))
    _line(True, _("course"), str(course.root))
    missing = 0
    for name in PACKAGES:
        try:
            _line(True, name, metadata.version(name))
        except metadata.PackageNotFoundError:
            missing += 1
            _line(False, name, _("not installed: run `make start` (or pip install -e .)"))
    url = os.environ.get("REDIS_URL")
    server = shutil.which("redis-server")
    if url:
        ok = _redis_reachable(url)
        _line(ok, "redis (REDIS_URL)", url if ok else _("{url} does not answer PING").format(url=url))
    elif server:
        _line(True, "redis-server", _("{path} (tests start a private one)").format(path=server))
    else:
        _line(None, "redis", _("not found: `sudo apt-get install redis-server` or "
              "`docker compose -f docker/compose.yml up -d redis` + REDIS_URL; Redis tests will skip"))
    _celery_line(url, server)
    browser = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)), None)
    _line(bool(browser) or None, "chromium", browser or _("not found: `sudo apt-get install chromium`; browser tests skip"))
    from . import warm

    info = warm.status(course.root)
    if not warm.enabled():
        _line(None, _("warm checks"), _("off (AWAITLINGS_WARM=0, CI, or not Linux): each check starts a fresh Python"))
    else:
        _line(True, _("warm checks"), _("server pid {pid}, {runs} runs").format(pid=info["pid"], runs=info["runs"])
              if info else _("on: the next check starts a background Python (`awaitlings warm stop` ends it)"))
    _lesson_table(course, {"redis": bool(url and _redis_reachable(url)) or bool(server),
                           "browser": bool(browser) and _installed("playwright"),
                           "celery": bool(url or server) and _installed("celery"),
                           "nginx": bool(shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
                           "postgres": _postgres_reachable()})
    return 1 if missing else 0


HOW = {
    "redis": N_("`sudo apt-get install redis-server` (or `brew install redis`), or set REDIS_URL"),
    "browser": N_("`sudo apt-get install chromium` (the tests drive it headless)"),
    "celery": N_("needs Redis as its broker"),
    "nginx": N_("`sudo apt-get install nginx` (the tests run it unprivileged; no service needed)"),
    "postgres": N_("optional: PostgreSQL on 127.0.0.1:5432 (or DATABASE_URL) for the capstone's PostgreSQL test"),
}


def lesson_needs(lesson) -> list[str]:
    """Every service a lesson's tests use: the lesson's own, its exercises', and a worker for Celery lessons."""
    needs = set(lesson.needs) | {n for ex in lesson.exercises for n in ex.needs}
    if lesson.celery_app:
        needs.add("celery")
    return sorted(needs)


def _installed(package: str) -> bool:
    try:
        metadata.version(package)
        return True
    except metadata.PackageNotFoundError:
        return False


def _postgres_reachable() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    parsed = urlparse(url) if url.startswith(("postgres", "postgresql")) else None
    try:
        with socket.create_connection(((parsed and parsed.hostname) or "127.0.0.1", (parsed and parsed.port) or 5432),
                                      timeout=0.5):
            return True
    except OSError:
        return False


def _lesson_table(course: Course, available: dict[str, bool]) -> None:
    heading = (_("lesson"), _("needs"), _("now"))
    print(ui.bold("\n  " + f"{heading[0]:<31} {heading[1]:<28} {heading[2]}"))
    missing: set[str] = set()
    for lesson in course.lessons:
        needs = lesson_needs(lesson)
        lacking = [n for n in needs if not available.get(n, False)]
        missing.update(lacking)
        state = ui.TICK + " " + _("ready") if not lacking else ui.yellow("! " + _("missing {services}").format(
            services=", ".join(lacking)))
        listed = ", ".join(needs) or _("nothing")
        print(f"  {lesson.slug:<31} {listed:<28} {state}")
    for need in sorted(missing):
        print(ui.dim(f"  {need}: {_(HOW[need]) if need in HOW else ''}"))
