"""ex03: the chat page works in a real browser (Debian's headless Chromium, driven by Playwright):
two pages see each other's messages, on one server and across two server processes sharing Redis."""

import random
import string
import threading
import time
import urllib.request

import pytest
from awaitlings.testing import ExerciseProblem, fail, wait_for_port
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


# Who sits where: ana and ben on server one, cleo on the other server process.
SEATS = {"ana": 0, "ben": 0, "cleo": 1}


class Room:
    """One chat room shared by this module's tests, in one browser context. Playwright opens the first page
    (ana's); once its socket is open, that page opens everybody else's itself (window.open answers at once,
    so the other pages load while the test goes on, instead of the test waiting for a new tab each time).
    Each page is checked connected once, the first time a test needs it (a page that failed that check
    fails it again at once). Every test sends random tokens of its own, so nothing an earlier test left in a
    page's log can satisfy a later one."""

    def __init__(self, context, servers) -> None:
        self.context, self.servers, self.name = context, servers, room_name()
        self.pages: dict = {}  # who -> a page that is connected and has its name filled in
        self.broken: dict = {}  # who -> why that page failed its connection check
        self.statuses: dict = {}  # url -> the HTTP status it answered
        self.invited = False
        context.on("response", lambda r: r.request.resource_type == "document"
                   and self.statuses.setdefault(r.url, r.status))
        context.on("console", lambda msg: msg.page and log_of(msg.page).append(msg.text))
        context.on("weberror", lambda error: error.page and log_of(error.page).append(str(error.error)))

    def url(self, who: str) -> str:
        # ?as= tells apart two pages of one server; the page ignores it.
        return f"{self.servers[SEATS[who]].url}/chat/{self.name}/?as={who}"

    def join(self, who: str):
        """`who`'s page, loaded, its WebSocket open, the name filled in."""
        if who in self.broken:
            fail(self.broken[who])
        if who in self.pages:
            return self.pages[who]
        page = self.page(who)
        status = self.statuses.get(page.url)
        if status != 200:
            fail(f"GET /chat/{self.name}/ answered {status}: the page should load.")
        try:
            connected(page, who)
        except ExerciseProblem as problem:
            self.broken[who] = str(problem)
            raise
        if not self.invited:  # the others' pages load meanwhile
            self.invited = True
            for other in SEATS:  # one evaluate each: a page may open one popup per user gesture
                if other != who:
                    page.evaluate("url => { window.open(url, '_blank', 'noopener'); }", self.url(other))
        page.fill("#chat-user", who)
        self.pages[who] = page
        return page

    def page(self, who: str):
        """`who`'s page, loaded: a new tab, or the one an earlier page opened for it."""
        url = self.url(who)
        if not self.invited:
            page = self.context.new_page()
            page.goto(url, timeout=10_000)
            return page
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            page = next((p for p in self.context.pages if p.url == url), None)
            if page:
                page.wait_for_load_state(timeout=10_000)
                return page
            self.context.pages[0].wait_for_timeout(20)  # lets Playwright take in the new page
        fail(f"{who}'s page ({url}) did not open within 10 s.")


def first_requests(servers) -> None:
    """A server process answers its first page and its first WebSocket slower (Django loads the URLconf and
    the template, Channels the consumer and the layer's Redis connection): have that done while the browser
    starts. Only a warm-up: whatever goes wrong here, the test's own requests meet and report it."""
    from websockets.sync.client import connect

    for server in servers:
        try:
            wait_for_port(server.port, 30, process=server.process)
            urllib.request.urlopen(f"{server.url}/chat/warm-up/", timeout=5).close()
            with connect(f"ws://127.0.0.1:{server.port}/ws/chat/warm-up/", open_timeout=5):
                pass
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture(scope="module")
def room(request, booting_servers):
    """The servers boot and serve a first request while the browser connects; the room's pages live as long
    as this module's tests. Its context is left open for the end of the run: a warm browser's keeper
    disposes of every context a check left behind, and a browser launched for the run closes with it."""
    warm_up = threading.Thread(target=first_requests, args=(booting_servers,), daemon=True)
    warm_up.start()
    browser = request.getfixturevalue("browser")
    context = browser.new_context()
    context.add_init_script(SOCKET_SPY)  # every page of the room, before the page's own script
    return Room(context, [server.wait_ready() for server in booting_servers])


def log_of(page) -> list:
    """What the page wrote to its console, and its uncaught errors."""
    if not hasattr(page, "console"):
        page.console = []
    return page.console


def say(page, text: str) -> None:
    """Type `text` and click Send: a real mouse click on the button (whatever covers it gets the click), but
    without Playwright's wait for the button to stand still, which needs animation frames, and a page in
    the background gets none (so this needs no bring_to_front first)."""
    page.fill("#chat-message-input", text)
    page.click("#chat-message-submit", force=True)


# Waits in the page (polling every 20 ms: rAF polling stalls in background pages) for the first #chat-log <li>
# containing the token; answers its text and whether any markup made it into the log, in one round trip.
LINE = """async ([token, ms]) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = [...document.querySelectorAll("#chat-log li")].find(li => li.textContent.includes(token));
    const html = () => Boolean(window.pwned) || document.querySelectorAll("#chat-log b, #chat-log img").length > 0;
    if (line) return {text: line.textContent, html: html()};
    if (Date.now() > deadline) return null;
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}"""


def wait_for_line(page, token: str, who: str, timeout: float = 4000) -> dict:
    """{"text": the first #chat-log <li> containing `token`, "html": whether any markup was inserted}."""
    try:
        found = page.evaluate(LINE, [token, timeout])
    except Exception:  # noqa: BLE001 - the page navigated away or crashed meanwhile: it showed nothing
        found = None
    if found is None:
        console = "; ".join(log_of(page)[-3:]) or "nothing"
        status = page.text_content("#status")
        fail(f"{who}'s page never showed a message containing {token!r} in #chat-log "
             f"(status: {status!r}; browser console: {console}).")
    return found


# What the page's sockets are doing: [url, readyState] of each, the scheme a socket of this page needs,
# and the starter's #status line; answered once a socket is open or one opened with the wrong scheme (a
# page that opens wss:// from this http page, the starter's, waits forever in CONNECTING), or after `ms`.
SOCKETS = """async ms => {
  const deadline = Date.now() + ms;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const sockets = () => window.__sockets || [];
  while (!sockets().some(s => s.readyState === 1 || new URL(s.url).protocol !== scheme) && Date.now() < deadline)
    await new Promise(resolve => setTimeout(resolve, 20));
  return {sockets: sockets().map(s => [s.url, s.readyState]), protocol: location.protocol, scheme,
          status: (document.getElementById("status") || {}).textContent};
}"""


def connected(page, who: str) -> None:
    """Each page has an open WebSocket; where none is seen open (a socket the spy can't see, or one still
    connecting), the page sends probes until one comes back: then its socket is certainly open."""
    probe = "probe-" + "".join(random.choices(string.ascii_lowercase, k=6))
    tries = 12
    state = page.evaluate(SOCKETS, 1500)  # no socket open by then: the probes below find out
    wrong = [url for url, ready in state["sockets"] if ready != 1 and not url.startswith(state["scheme"])]
    if wrong and not any(ready == 1 for _, ready in state["sockets"]):
        fail(f"{who}'s page never showed its own message in #chat-log, so its WebSocket never carried a "
             f"message (status: {state['status']!r}; its socket {wrong[0]} never opens from a "
             f"{state['protocol']} page).")
    if any(ready == 1 for _, ready in state["sockets"]):
        return  # open (the consumer joined its group before accepting): the exchange proves the rest
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
                "t => document.getElementById('chat-log').textContent.includes(t)", arg=probe, timeout=250, polling=20
            )
            return
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: not yet
            continue
    console = "; ".join(dict.fromkeys(log_of(page)[-5:])) or "nothing"
    fail(f"{who}'s page never showed its own message in #chat-log, so its WebSocket never carried a "
         f"message (status: {page.text_content('#status')!r}; browser console: {console}).")


def exchange(ana, peer, name: str) -> None:
    """ana (already connected) sends markup to `name`'s page, which must show it as text; `name` replies."""
    token = "".join(random.choices(string.ascii_lowercase, k=10))
    text = f"{token} {MARKUP}"
    say(ana, text)
    line = wait_for_line(peer, token, name)
    if line["html"]:
        fail(f"ana's message was inserted as HTML: her <img onerror=...> ran in {name}'s page. "
             "Show messages as text (textContent), never via innerHTML.")
    if line["text"] != f"ana: {text}":
        fail(f"{name}'s page should show the line {f'ana: {text}'!r}, but shows {line['text']!r}.")
    reply = "".join(random.choices(string.ascii_lowercase, k=10))
    say(peer, reply)
    wait_for_line(ana, reply, "ana")


def test_two_pages_on_one_server_chat(room):
    exchange(room.join("ana"), room.join("ben"), "ben")


def test_two_pages_on_two_server_processes_chat(room):
    ana = room.join("ana")
    exchange(ana, room.join("cleo"), "cleo")
