"""Exercise 2: nginx in front of gunicorn (+ uvicorn-worker) and daphne: HTTP, a WebSocket and an SSE
stream through it, and the client address the app sees."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from awaitlings.testing import fail, free_port, target_root
from awaitlings.testing.nginx import Nginx

CLIENT = "127.0.0.2"  # the tests talk to nginx from another loopback address, so "who is the client" has an answer


def _client(**kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=CLIENT), timeout=5, **kwargs)


async def test_http_reaches_both_servers_through_nginx(nginx):
    async with _client() as client:
        replies = [await client.get(f"{nginx.url}/ops/whoami") for _ in range(6)]
        page = await client.get(f"{nginx.url}/login/")
    if any(r.status_code != 200 for r in replies):
        fail(f"GET /ops/whoami through nginx answered {[r.status_code for r in replies]}, expected 200s.")
    servers = {r.json()["server"].split("/")[0] for r in replies}
    if servers != {"gunicorn", "daphne"}:
        fail(f"Six requests through nginx were all answered by {sorted(servers)}: the upstream should hold both "
             "servers (${GUNICORN} and ${DAPHNE}), so requests are spread and one can restart while the other serves.")
    if page.status_code != 200 or "<form" not in page.text:
        fail(f"The capstone's login page through nginx answered {page.status_code}, expected its form.")


async def test_the_app_sees_the_real_client_not_nginx_or_a_spoofed_header(nginx):
    async with _client() as client:
        seen = [(await client.get(f"{nginx.url}/ops/whoami", headers={"X-Forwarded-For": "6.6.6.6"})).json()
                for _ in range(4)]
    for reply in seen:
        if reply["client"] != CLIENT:
            server = reply["server"].split("/")[0]
            if reply["client"] == "6.6.6.6":
                fail(f"{server} believed the client's own X-Forwarded-For (6.6.6.6). nginx is the edge: set "
                     "X-Forwarded-For (and X-Real-IP) to $remote_addr instead of appending to what the client sent.")
            fail(f"A request from {CLIENT} through nginx reached {server} as coming from {reply['client']}: nginx "
                 "should tell the server who the client is (X-Forwarded-For / X-Real-IP).")
        if (reply["host"] or "").split(":")[0] != "127.0.0.1":
            fail(f"The app saw Host {reply['host']!r} instead of the one the client asked for (127.0.0.1): pass it "
                 "on with proxy_set_header Host $host (without it, nginx sends the upstream's name).")


async def test_gunicorn_trusts_forwarded_headers_only_from_nginx(stack):
    async with _client() as client:
        reply = (await client.get(f"{stack.gunicorn.url}/ops/whoami", headers={"X-Forwarded-For": "6.6.6.6"})).json()
    if reply["client"] != CLIENT:
        fail(f"A client at {CLIENT} talking to gunicorn directly said X-Forwarded-For: 6.6.6.6, and the app "
             f"believed it ({reply['client']}). Forwarded headers are to be trusted only from the proxy's address "
             "(forwarded_allow_ips in gunicorn.conf.py).")


def test_gunicorn_runs_the_uvicorn_worker_package(stack):
    log = stack.gunicorn.output()
    used = re.search(r"Using worker: (\S+)", log)
    if not used or used.group(1) != "uvicorn_worker.UvicornWorker" or "deprecated" in log.lower():
        fail(f"gunicorn uses {used.group(1) if used else 'an unknown worker'}"
             f"{' and logged a deprecation warning' if 'deprecated' in log.lower() else ''}: uvicorn.workers is "
             "deprecated; the uvicorn-worker package provides the ASGI worker class now.")


async def _ws_roundtrip(url: str) -> tuple[str, str]:
    try:
        async with connect(url, open_timeout=5, local_addr=(CLIENT, 0)) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
            await ws.send(json.dumps({"n": 1}))
            echo = json.loads(await asyncio.wait_for(ws.recv(), 5))
    except InvalidStatus as error:
        fail(f"The WebSocket handshake for /ops/echo through nginx got HTTP {error.response.status_code} instead of "
             "101 Switching Protocols: nginx passed it on as a plain request. WebSockets need HTTP/1.1 and the "
             "Upgrade/Connection headers on every location that serves them.")
    if echo.get("echo") != {"n": 1}:
        fail(f"The echo consumer answered {echo!r} to {{'n': 1}}.")
    return hello["hello"].split("/")[0], echo["server"]


async def test_a_websocket_works_through_nginx_on_both_servers(nginx):
    servers = {(await _ws_roundtrip(f"{nginx.ws_url}/ops/echo"))[0] for _ in range(4)}
    if servers != {"gunicorn", "daphne"}:
        fail(f"Four WebSockets through nginx all went to {sorted(servers)}: both servers should take them.")


SSE_EVENTS, SSE_EVERY = 5, 0.08  # produced 0.08 s apart: 0.32 s from the first to the last


async def test_sse_events_arrive_one_by_one(nginx):
    """Counted evidence, not a stopwatch: events that reach the client within half the spacing (40 ms) of
    the previous one arrived together. Streamed, the 5 ticks come in 5 separate arrivals (a busy machine
    may merge two or three); held in nginx's buffer, they come in 1, at the end. /ops/ticks sends no
    X-Accel-Buffering header and a Content-Length, so only the config decides (see deploy/ops.py)."""
    arrivals = []
    started = time.perf_counter()
    async with _client() as client:
        async with client.stream("GET", f"{nginx.url}/ops/ticks?n={SSE_EVENTS}&every={SSE_EVERY}") as response:
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    arrivals.append(time.perf_counter() - started)
    if len(arrivals) != SSE_EVENTS:
        fail(f"The SSE stream /ops/ticks?n={SSE_EVENTS} delivered {len(arrivals)} events through nginx "
             f"(status {response.status_code}), expected {SSE_EVENTS}.")
    bunches = 1 + sum(1 for before, after in zip(arrivals, arrivals[1:]) if after - before > SSE_EVERY / 2)
    if bunches < 3:
        fail(f"The app produced {SSE_EVENTS} SSE events {SSE_EVERY} s apart; through nginx they reached the client "
             f"in {bunches} {'bunch' if bunches == 1 else 'bunches'}, the first {arrivals[0]:.2f} s after the "
             "request: nginx held the stream in its response buffer and passed it on at the end. The seed's "
             "`location /ws/` is right for WebSockets, but an SSE stream is an ordinary HTTP response that stays "
             "open: nginx must pass each event on as it comes (`proxy_buffering off` where the stream is served, "
             "or the app's `X-Accel-Buffering: no` header), and keep the connection above the heartbeat "
             "(`proxy_read_timeout`).")


def test_idle_streams_outlive_the_ping_interval(nginx):
    timeouts = re.findall(r"proxy_read_timeout\s+(\d+)(s|m)?\s*;", nginx.site_text)
    seconds = [int(n) * (60 if unit == "m" else 1) for n, unit in timeouts]
    if not seconds or min(seconds) <= 20:
        fail(f"proxy_read_timeout is {seconds or 'not set'}: an idle WebSocket or SSE stream is cut after it. Set it "
             "explicitly, above the servers' 20 s ping interval (and your SSE heartbeat).")


class _Backend:
    """A stand-in for one ASGI server: answers 200 (503 while `draining`); after `close()` it refuses
    connections, like a server between its exit and its restart."""

    def __init__(self, name: str):
        backend = self
        self.name, self.draining, self.hits = name, False, 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                backend.hits += 1
                status = 503 if backend.draining else 200
                body = json.dumps({"server": f"{backend.name}/0"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.closed = False
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.httpd.shutdown()
            self.httpd.server_close()


def test_a_server_back_from_its_drain_serves_while_the_other_restarts():
    """A rolling restart, step by step: the first server drains (503) and comes back; a moment later the
    second one restarts. Every request must still be answered by whichever server is up."""
    first, second = _Backend("gunicorn"), _Backend("daphne")
    template = (target_root() / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    first.draining = True
    try:
        port = free_port()
        with Nginx(template, port=port, values={"LISTEN": f"127.0.0.1:{port}", "GUNICORN": first.address,
                                                "DAPHNE": second.address}) as nginx, httpx.Client(timeout=5) as client:
            codes = []
            for _ in range(4):
                codes.append(client.get(f"{nginx.url}/ops/whoami").status_code)
                if first.hits:
                    break
            if not first.hits or not second.hits:
                fail(f"Requests through nginx reached only one of the two servers (hits: gunicorn {first.hits}, "
                     f"daphne {second.hits}): the upstream should hold both ${{GUNICORN}} and ${{DAPHNE}}.")
            if codes[-1] != 200:
                fail(f"gunicorn answered 503 while draining and the client got {codes[-1]}: nginx should retry "
                     "such a request on the other server (proxy_next_upstream) instead of passing the 503 on.")
            first.draining = False  # gunicorn is back ...
            second.close()  # ... and now daphne restarts: its connections are refused
            codes = [client.get(f"{nginx.url}/ops/whoami").status_code for _ in range(4)]
            if codes != [200] * 4:
                fail(f"gunicorn had answered one 503 while draining and was serving again; then daphne restarted "
                     f"(connections refused) and nginx answered {codes} instead of 200s. nginx still counted that "
                     "503 as a failure and kept gunicorn out of the group, so it had no server left to try "
                     "(\"no live upstreams\"). A rolling restart needs nginx to try a server again at once.")
    finally:
        second.close()
        first.close()
