"""The capstone as a whole (run by `awaitlings verify` and CI, not by a learner's check): a real browser on
two servers, the cooldown across servers, the beat job, the health endpoint, and the key flow on
PostgreSQL. Every server, worker and beat here is a real process."""

import asyncio
import io
import json
import os
import secrets
import subprocess
import sys
import time
import tomllib
from datetime import timedelta

import pytest
from awaitlings.testing import ServerProcess, expect_migrations_match, free_port, lesson_root

UVICORN = ["{python}", "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", "{port}",
           "--log-level", "warning", "--lifespan", "off", "--timeout-graceful-shutdown", "1"]


@pytest.fixture(scope="module")
def web2(request, redis_url):
    """A second server process on the same Redis and database: the two-server half of the deployment."""
    from awaitlings.testing.celery import worker_env

    request.getfixturevalue("django_db_setup")
    with ServerProcess(UVICORN, env=worker_env(redis_url, True)) as server:
        yield server


@pytest.fixture
def passwords(people, settings):
    """The demo passwords hashed the way the servers check them (`people` uses a fast test-only hasher)."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    for person in people.values():
        person.user.set_password("awaitlings")
        person.user.save(update_fields=["password"])
    return people


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- the browser ---------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_users_on_two_servers_chat_one_downloads_a_pdf_and_an_outsider_is_kept_out_in_a_real_browser(
        chromium_path, web, web2, passwords, celery_workers, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    # One worker per queue, as in production; PDF sections take 0.2 s so the progress bar visibly moves.
    celery_workers.start(queues=["reports"], name="reports", concurrency=1, env={"REPORT_STEP_DELAY": "0.2"})
    celery_workers.start(queues=["default"], name="default", concurrency=1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            def logged_in(server, username: str, path: str = "/"):
                page = browser.new_context(accept_downloads=True).new_page()
                page.set_default_timeout(10_000)
                page.goto(f"{server.url}/login/?next={path}")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", "awaitlings")
                page.click("button[type=submit]")
                page.wait_for_url(f"{server.url}{path}*")
                return page

            alice, bob = logged_in(web, "alice"), logged_in(web2, "bob")
            for page in (alice, bob):
                expect(page.locator("#chat-state")).to_have_text("chat: #apollo")
                expect(page.locator("#notify-state")).to_have_text("notifications: live")

            # Two users, two server processes, one room: the Redis channel layer carries the messages.
            alice.fill("#message", "hello from server A")
            alice.press("#message", "Enter")
            expect(bob.locator("#messages .msg").last).to_contain_text("hello from server A")
            bob.fill("#message", "hi alice, bob on server B here")
            bob.press("#message", "Enter")
            expect(alice.locator("#messages .msg").last).to_contain_text("bob on server B")

            # PDF 생성 → 202 → the reports worker → progress and pdf_ready over /ws/notify/ → download.
            alice.click("#make-pdf")
            expect(alice.locator("#download")).not_to_have_class("button disabled")
            seen = [int(x) for x in alice.locator("#report-status").get_attribute("data-seen").split(",") if x]
            assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == 100, f"progress seen by the page: {seen}"
            with alice.expect_download() as download:
                alice.click("#download")
            saved = tmp_path / "report.pdf"
            download.value.save_as(saved)
            text = pdf_text(saved.read_bytes())
            assert "alice" in text and "hello from server A" in text, f"the PDF's text: {text[:300]!r}"

            # mallory (Initech) opens ACME's room by URL: the server closes with 4403, the page says so.
            mallory = logged_in(web2, "mallory", "/?room=apollo")
            expect(mallory.locator("#chat-state")).to_have_text("chat: not allowed")
            expect(mallory.locator("#messages")).to_contain_text("not a member")
            expect(mallory.locator("#messages .msg")).to_have_count(0)
            expect(mallory.locator("#message")).to_be_disabled()
        finally:
            browser.close()


# --- two servers, one cooldown ---------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
async def test_the_chat_cooldown_holds_across_two_servers(web, web2, people, ws_options):
    import websockets

    async def joined(server):
        ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/ws/chat/gemini/", **ws_options(server, people["bob"]))
        assert json.loads(await asyncio.wait_for(ws.recv(), 3))["type"] == "hello"
        return ws

    a, b = await joined(web), await joined(web2)
    try:
        await a.send(json.dumps({"message": "first, on server A"}))
        relayed = json.loads(await asyncio.wait_for(b.recv(), 3))
        assert relayed["body"] == "first, on server A", relayed
        await b.send(json.dumps({"message": "second, at once, on server B"}))  # same user, other server
        refused = json.loads(await asyncio.wait_for(b.recv(), 3))
        assert refused["type"] == "cooldown" and refused["retry_after"] > 0, refused
    finally:
        await a.close()
        await b.close()
    from chat.models import Message

    assert await Message.objects.filter(body__startswith="second").acount() == 0


# --- beat: the hourly cleanup ------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_beat_sends_the_cleanup_and_old_reports_and_their_files_are_deleted(people, celery_workers, settings, redis_url):
    from celery.schedules import crontab
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from awaitlings.testing.beat import CeleryBeat
    from reports.models import Report

    entry = settings.CELERY_BEAT_SCHEDULE["cleanup-old-reports-hourly"]
    assert entry["schedule"] == crontab(minute=0), "by default the cleanup runs on the hour"
    old, new = (Report.objects.create(user=people["alice"].user, status=Report.DONE) for _ in range(2))
    for report in (old, new):
        report.file.save(f"report-{report.pk}.pdf", ContentFile(b"%PDF-1.4 test"))
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    celery_workers.start(queues=["default"], name="default", concurrency=1)
    with CeleryBeat("config", env={"CLEANUP_EVERY_SECONDS": "0.5", "REDIS_URL": redis_url,
                                   "CELERY_BROKER_URL": redis_url}) as beat:
        beat.wait_sent("cleanup-old-reports-hourly", count=1)
        deadline = time.monotonic() + 10
        while Report.objects.filter(pk=old.pk).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not Report.objects.filter(pk=old.pk).exists(), "the 25-hour-old report should be cleaned up"
    assert not default_storage.exists(old.file.name), "its file should be deleted through the storage API"
    assert Report.objects.filter(pk=new.pk).exists() and default_storage.exists(new.file.name), "a new report stays"


# --- health ------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_health_endpoint_says_ok_and_503_when_redis_is_unreachable(web, redis_url):
    import httpx

    from awaitlings.testing.celery import worker_env

    healthy = httpx.get(f"{web.url}/healthz", timeout=5)
    assert healthy.status_code == 200 and healthy.json()["redis"] == "ok", healthy.text
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with ServerProcess(UVICORN, env={**worker_env(redis_url, True), "REDIS_URL": dead}) as broken:
        sick = httpx.get(f"{broken.url}/healthz", timeout=5)
    assert sick.status_code == 503 and sick.json()["redis"].startswith("error"), sick.text
    assert sick.json()["database"] == "ok"


# --- the run ------------------------------------------------------------------------------------------

def test_the_run_starts_two_servers_a_worker_per_queue_one_beat_and_redis():
    spec = tomllib.loads((lesson_root() / "lesson.toml").read_text(encoding="utf-8"))["run"]
    commands = {p["name"]: " ".join(p["cmd"]) for p in spec["processes"]}
    assert sorted(p.get("port") for p in spec["processes"] if "serve.py" in " ".join(p["cmd"])) == [8000, 8001]
    assert sorted(c.split("-Q ")[1].split()[0] for c in commands.values() if " worker " in c) == ["default", "reports"]
    assert sum(" beat " in c + " " for c in commands.values()) == 1, "exactly one beat"
    assert any(c.startswith("redis-server --port 6395") for c in commands.values())


def test_the_migrations_match_the_models():
    """The checks build their test database from the models (conftest: no migrations); what `awaitlings
    run 17` and PostgreSQL get is the migrations, so they must describe the same tables."""
    expect_migrations_match("config.settings")


# --- PostgreSQL -------------------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("AWAITLINGS_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def postgres_admin():
    """A connection to the server's maintenance database, or a skip (a failure under CI) saying why."""
    try:
        import psycopg

        return psycopg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1), autocommit=True,
                               connect_timeout=3)
    except Exception as error:  # noqa: BLE001
        message = f"needs PostgreSQL at {POSTGRES_URL} (set AWAITLINGS_POSTGRES_URL): {type(error).__name__}: {error}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message.splitlines()[0])


def test_the_key_flow_on_postgresql_in_a_database_of_its_own(tmp_path):
    """Login, /ws/notify/, POST → 202 → a reports worker → pdf_ready → download, on PostgreSQL."""
    from awaitlings.testing.celery import CeleryWorker
    from awaitlings.testing.redis_server import RedisServer

    admin = postgres_admin()
    name = f"awaitlings_capstone_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    # A Redis of its own: on the run's Redis, the session's worker (on the SQLite test database) could take
    # this report from the queue and never find its row.
    redis = RedisServer(workdir=tmp_path).start()
    redis_url = redis.url
    env = {"DATABASE_URL": url, "REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url,
           "CELERY_RESULT_BACKEND": redis_url, "MEDIA_ROOT": str(tmp_path / "media")}
    try:
        subprocess.run([sys.executable, "serve.py", "--prepare-only"], cwd=os.environ["AWAITLINGS_TARGET_ROOT"],
                       env={**os.environ, **env}, check=True, capture_output=True, timeout=60)
        with ServerProcess(UVICORN, env=env) as server, \
                CeleryWorker("config", queues=["reports"], name="pg-reports", env=env) as worker:
            asyncio.run(key_flow(server, worker))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        redis.stop()


async def key_flow(server, worker) -> None:
    import httpx
    import websockets

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        await http.get("/login/")
        token = http.cookies["csrftoken"]
        login = await http.post("/login/", data={"username": "alice", "password": "awaitlings",
                                                 "csrfmiddlewaretoken": token, "next": "/"})
        assert login.status_code == 302, f"login on PostgreSQL: {login.status_code}"
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws/notify/", origin=server.url,
                                      additional_headers={"Cookie": cookie}) as ws:
            await asyncio.sleep(0.1)
            accepted = await http.post("/api/reports/", headers={"X-CSRFToken": http.cookies["csrftoken"]})
            assert accepted.status_code == 202, accepted.text
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if event.get("event") == "pdf_ready":
                    break
        pdf = await http.get(event["url"])
        assert pdf.status_code == 200 and "alice" in pdf_text(pdf.content), worker.output()[-500:]
        health = (await http.get("/healthz")).json()
        assert health["database"] == "ok", health
