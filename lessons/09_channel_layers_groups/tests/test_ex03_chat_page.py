"""ex03: the chat page works in a real browser (Debian's headless Chromium, driven by Playwright):
two pages see each other's messages, on one server and across two server processes sharing Redis."""

import random
import string

from awaitlings.testing import fail
from support import room_name

MARKUP = '<b>bold</b> & <img src=x onerror="window.pwned = 1">'


# Remembers every WebSocket the page opens (a subclass: `instanceof`, constants and subclasses still work),
# so the test sees at once a socket that can never open instead of waiting for it.
SOCKET_SPY = """
window.__sockets = [];
window.WebSocket = class extends window.WebSocket {
  constructor(...args) { super(...args); window.__sockets.push(this); }
};
"""


def open_room(browser, server, room: str, name: str):
    page = browser.new_page()
    page.add_init_script(SOCKET_SPY)
    page.console = []
    page.on("console", lambda msg: page.console.append(msg.text))
    page.on("pageerror", lambda error: page.console.append(str(error)))
    response = page.goto(f"{server.url}/chat/{room}/", timeout=10_000)
    if response is None or response.status != 200:
        fail(f"GET /chat/{room}/ answered {response and response.status}: the page should load.")
    page.fill("#chat-user", name)
    return page


def say(page, text: str) -> None:
    # Like a person switching windows: a background page gets no animation frames, and Playwright
    # waits for those before it clicks.
    page.bring_to_front()
    page.fill("#chat-message-input", text)
    page.click("#chat-message-submit")


def wait_for_line(page, token: str, who: str, timeout: float = 4000) -> str:
    """The text of the first #chat-log <li> containing `token`."""
    try:
        page.wait_for_function(
            "t => [...document.querySelectorAll('#chat-log li')].some(li => li.textContent.includes(t))",
            arg=token,
            timeout=timeout,
            polling=50,  # rAF polling stalls in background pages
        )
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError
        console = "; ".join(page.console[-3:]) or "nothing"
        status = page.text_content("#status")
        fail(f"{who}'s page never showed a message containing {token!r} in #chat-log "
             f"(status: {status!r}; browser console: {console}).")
    return page.evaluate(
        "t => [...document.querySelectorAll('#chat-log li')].find(li => li.textContent.includes(t)).textContent",
        token,
    )


def connected(page, who: str) -> None:
    """Each page sends a probe and waits to see it come back: then its socket is certainly open."""
    probe = "probe-" + "".join(random.choices(string.ascii_lowercase, k=6))
    tries = 12
    # A page that opens wss:// from this http page (the starter) waits forever in CONNECTING: say so now.
    try:
        page.wait_for_function("window.__sockets && window.__sockets.length > 0", timeout=1500, polling=50)
    except Exception:  # noqa: BLE001 - no socket yet: the probes below find out
        pass
    wrong = page.evaluate("""() => (window.__sockets || []).filter(s => s.readyState !== 1 &&
        new URL(s.url).protocol !== (location.protocol === "https:" ? "wss:" : "ws:")).map(s => s.url)""")
    if wrong and not page.evaluate("(window.__sockets || []).some(s => s.readyState === 1)"):
        fail(f"{who}'s page never showed its own message in #chat-log, so its WebSocket never carried a "
             f"message (status: {page.text_content('#status')!r}; its socket {wrong[0]} never opens from a "
             f"{page.evaluate('location.protocol')} page).")
    try:  # the starter's onopen/onclose set #status; if yours doesn't, the probes below still find out
        page.wait_for_function("/^(connected|closed)/.test(document.getElementById('status').textContent)",
                               timeout=3000, polling=50)
        if page.text_content("#status").startswith("closed"):
            tries = 2  # the socket already failed: a couple of probes in case the page reconnects, not twelve
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError
        pass
    # The socket may still be opening right after load: retry the probe a few times.
    for _ in range(tries):
        say(page, probe)
        try:
            page.wait_for_function(
                "t => document.getElementById('chat-log').textContent.includes(t)", arg=probe, timeout=250, polling=50
            )
            return
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: not yet
            continue
    console = "; ".join(dict.fromkeys(page.console[-5:])) or "nothing"
    fail(f"{who}'s page never showed its own message in #chat-log, so its WebSocket never carried a "
         f"message (status: {page.text_content('#status')!r}; browser console: {console}).")


def exchange(ana, ben) -> None:
    connected(ana, "ana")
    connected(ben, "ben")
    token = "".join(random.choices(string.ascii_lowercase, k=10))
    text = f"{token} {MARKUP}"
    say(ana, text)
    line = wait_for_line(ben, token, "ben")
    if ben.evaluate("window.pwned") or ben.locator("#chat-log b, #chat-log img").count():
        fail("ana's message was inserted as HTML: her <img onerror=...> ran in ben's page. "
             "Show messages as text (textContent), never via innerHTML.")
    if line != f"ana: {text}":
        fail(f"ben's page should show the line {f'ana: {text}'!r}, but shows {line!r}.")
    reply = "".join(random.choices(string.ascii_lowercase, k=10))
    say(ben, reply)
    wait_for_line(ana, reply, "ana")


def test_two_pages_on_one_server_chat(servers, browser_context):
    room = room_name()
    exchange(open_room(browser_context, servers[0], room, "ana"), open_room(browser_context, servers[0], room, "ben"))


def test_two_pages_on_two_server_processes_chat(servers, browser_context):
    room = room_name()
    exchange(open_room(browser_context, servers[0], room, "ana"), open_room(browser_context, servers[1], room, "ben"))
