"""The warm browser (awaitlings.testing.browser): one keeper per user, reached over a token path, a clean
browser for each client, and the `browser` fixture's fallback to a launch of its own."""

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from awaitlings.testing import browser as warm_browser
from awaitlings.testing.services import find_chromium

pytestmark = pytest.mark.skipif(not find_chromium(), reason="needs chromium")


@pytest.fixture
def keeper(tmp_path, monkeypatch):
    """A keeper of this test's own (its own private folder), stopped afterwards."""
    monkeypatch.setenv("AWAITLINGS_WARM", "1")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("AWAITLINGS_WARM_IDLE", "30")
    url = warm_browser.endpoint(find_chromium())
    assert url and url.startswith("ws://127.0.0.1:"), url
    folder = warm_browser.folder(find_chromium())
    yield url, folder
    try:  # it may have gone already (idle, or its Chromium exited): nothing left to stop then
        os.kill(json.loads((folder / "endpoint.json").read_text())["pid"], 15)
    except (FileNotFoundError, ProcessLookupError, ValueError, KeyError):
        pass


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_second_check_finds_the_same_browser_and_a_clean_one(keeper):
    url, folder = keeper
    assert oct((folder).stat().st_mode & 0o777) == "0o700"
    assert warm_browser.endpoint(find_chromium()) == url  # the same keeper, not a second browser
    leave_a_context = f"""
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            b = p.chromium.connect_over_cdp({url!r})
            c = b.new_context(); page = c.new_page(); page.set_content("<p id=x>hi</p>")
            print(page.text_content("#x"), len(b.contexts))
    """
    assert run(leave_a_context) == "hi 2"  # the default context and ours
    time.sleep(0.3)  # the keeper disposes of what the client left behind
    assert run(leave_a_context) == "hi 2"  # not 3: the first client's context is gone


def test_a_wrong_token_is_refused(keeper):
    url, _ = keeper
    wrong = url.rsplit("/", 1)[0] + "/guess"
    out = run(f"""
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            try:
                p.chromium.connect_over_cdp({wrong!r}, timeout=3000)
                print("connected")
            except Exception:
                print("refused")
    """)
    assert out == "refused"


def test_without_the_warm_server_there_is_no_keeper(monkeypatch):
    monkeypatch.setenv("AWAITLINGS_WARM", "0")
    assert warm_browser.endpoint(find_chromium()) is None
