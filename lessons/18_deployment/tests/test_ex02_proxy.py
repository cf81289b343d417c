"""Exercise 2: nginx in front of gunicorn (+ uvicorn-worker) and daphne: HTTP, a WebSocket and an SSE
stream through it, and the client address the app sees."""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from awaitlings.testing import fail

CLIENT = "127.0.0.2"  # the tests talk to nginx from another loopback address, so "who is the client" has an answer


def _client(**kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=CLIENT), timeout=5, **kwargs)


async def test_http_reaches_both_servers_through_nginx(nginx):
    async with _client() as client:
        replies = [await client.get(f"{nginx.url}/ops/whoami") for _ in range(6)]
    if any(r.status_code != 200 for r in replies):
        fail(f"GET /ops/whoami through nginx answered {[r.status_code for r in replies]}, expected 200s.")
    servers = {r.json()["server"].split("/")[0] for r in replies}
    if servers != {"gunicorn", "daphne"}:
        fail(f"Six requests through nginx were all answered by {sorted(servers)}: the upstream should hold both "
             "servers (${GUNICORN} and ${DAPHNE}), so requests are spread and one can restart while the other serves.")
    page = await httpx.AsyncClient(timeout=5).get(f"{nginx.url}/login/")
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


async def test_sse_events_arrive_one_by_one(nginx):
    arrivals = []
    started = time.perf_counter()
    async with _client() as client:
        async with client.stream("GET", f"{nginx.url}/ops/ticks?n=5&every=0.25") as response:
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    arrivals.append(time.perf_counter() - started)
    if len(arrivals) != 5:
        fail(f"The SSE stream /ops/ticks?n=5 delivered {len(arrivals)} events through nginx, expected 5.")
    spread = arrivals[-1] - arrivals[0]
    if spread < 0.5:  # produced 0.25 s apart: 1.0 s between the first and the last when streamed
        fail(f"All 5 events arrived within {spread:.2f} s of each other, {arrivals[0]:.2f} s after the request: nginx "
             "held them in its buffer and sent them at the end. SSE needs `proxy_buffering off` (or the "
             "X-Accel-Buffering: no header from the app).")


def test_idle_streams_outlive_the_ping_interval(nginx):
    timeouts = re.findall(r"proxy_read_timeout\s+(\d+)(s|m)?\s*;", nginx.site_text)
    seconds = [int(n) * (60 if unit == "m" else 1) for n, unit in timeouts]
    if not seconds or min(seconds) <= 20:
        fail(f"proxy_read_timeout is {seconds or 'not set'}: an idle WebSocket or SSE stream is cut after it. Set it "
             "explicitly, above the servers' 20 s ping interval (and your SSE heartbeat).")
