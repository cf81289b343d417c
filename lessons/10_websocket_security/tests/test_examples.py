"""The lesson's own examples, run by `awaitlings verify` and CI (never by a learner's check).

- The mini-project in a real headless Chromium: log in, fetch a ticket, chat, get refused from a
  private room, and watch a page on another origin fail to open a socket with the visitor's cookie.
- The seed's JWT middleware really raises SynchronousOnlyOperation."""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from awaitlings.testing import ServerProcess, expect_migrations_match, free_port, target_root, wait_for_port

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]


@pytest.fixture(scope="module")
def site():
    with tempfile.TemporaryDirectory(prefix="lesson10-") as tmp:
        env = {"LESSON10_DB": str(Path(tmp) / "db.sqlite3")}
        server = ServerProcess(["{python}", "serve.py", "--port", "{port}"], env=env, ready_timeout=30)
        evil_port = free_port()
        evil = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(evil_port), "--bind", "127.0.0.1", "--directory", "evil"],
            cwd=target_root(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            with server:
                wait_for_port(evil_port, 10)
                yield server.url, evil_port
        finally:
            evil.terminate()
            evil.wait(timeout=5)


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def logged_in_page(browser, url, name):
    page = browser.new_context().new_page()
    page.set_default_timeout(6_000)
    page.goto(f"{url}/login/")
    page.fill("[name=username]", name)
    page.fill("[name=password]", "awaitlings")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


@pytest.fixture(scope="module")
def alice(browser, site):
    page = logged_in_page(browser, site[0], "alice")
    yield page
    page.context.close()


def test_a_logged_in_page_gets_a_ticket_and_chats(alice, site):
    url, _ = site
    alice.goto(f"{url}/room/lobby/")
    alice.wait_for_selector("text=joined #lobby as alice")  # the ticket worked
    alice.fill("#text", "hello from chromium")
    alice.press("#text", "Enter")
    alice.wait_for_selector("text=alice: hello from chromium")
    alice.click("#garbage")
    alice.wait_for_selector("body[data-close-code='4400']")


def test_a_page_on_another_origin_is_refused_at_the_handshake(alice, site):
    url, evil_port = site
    # Same browser session, a page on another origin (localhost vs 127.0.0.1).
    alice.goto(f"http://localhost:{evil_port}/?target={url.replace('http', 'ws')}/ws/whoami/")
    alice.wait_for_selector("body[data-outcome]")
    outcome = alice.get_attribute("body", "data-outcome")
    code = alice.get_attribute("body", "data-close-code")
    # 1006: the handshake itself was refused (Origin check), not a 4401 after accepting.
    assert (outcome, code) == ("refused", "1006"), f"the cross-origin page: {alice.inner_text('#result')}"


def test_a_non_member_is_refused_from_a_private_room(browser, site):
    url, _ = site
    bob = logged_in_page(browser, url, "bob")
    try:
        bob.goto(f"{url}/room/staff/")
        bob.wait_for_selector("body[data-close-code='4403']")
    finally:
        bob.context.close()


async def test_the_seeds_jwt_middleware_never_logs_anyone_in(transactional_db):
    """Its sync ORM call raises SynchronousOnlyOperation, which its `except Exception: pass` swallows."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import SynchronousOnlyOperation

    from seed_jwt_middleware import JWTAuthMiddleware

    user = await get_user_model().objects.acreate(username="seed-user")
    seen = {}

    async def app(scope, receive, send):
        seen["user"] = scope["user"]

    scope = {"type": "websocket", "headers": [(b"authorization", f"Bearer {user.pk}".encode())]}
    await JWTAuthMiddleware(app)(scope, None, None)
    assert not seen["user"].is_authenticated, "the seed middleware should fail to log the user in"
    with pytest.raises(SynchronousOnlyOperation):
        get_user_model().objects.get(pk=user.pk)  # what its try/except hid


def test_the_migrations_match_the_models():
    """The checks build their test database from the models (conftest: no migrations); the mini-project
    (serve.py) gets the migrations, so they must describe the same tables."""
    expect_migrations_match("project.settings", sqlite_env="LESSON10_DB")
