"""A rate-limited HTTP API for lesson 04's mini-project (course-owned), served by uvicorn.

    python -m uvicorn polite_server:app --port 8004

It answers `GET /items/{id}` after LATENCY seconds with `{"id": id, "value": ...}`, and it is
strict about politeness:

- it counts the requests it is serving at the same moment; a request beyond LIMIT gets
  `429 Too Many Requests` at once (with `Retry-After`), and is counted as *rejected*;
- some items fail with `503 Service Unavailable` a few times before they succeed (*transient*
  errors, worth a retry);
- ids above 10,000 don't exist: `404 Not Found` (a permanent error: retrying can't help).

`GET /stats` shows the counters as JSON, `GET /` is a live dashboard of them, and `POST /reset` with
a JSON body `{"limit": 4, "latency": 0.1, "flaky": {"7": 2}}` resets the counters and the settings
(the tests do that before each test). Defaults come from the environment: POLITE_LIMIT (4),
POLITE_LATENCY (0.2 s), POLITE_FLAKY (the chance that any request fails with 503, default 0).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import secrets
import time
from collections import Counter

NOT_FOUND_ABOVE = 10_000


def item_value(secret: str, item: int) -> str:
    """The value the server sends for `item` (tests set the secret, so no answer can be hard-coded)."""
    return hashlib.sha256(f"{secret}:{item}".encode()).hexdigest()[:12]


class Politeness:
    def __init__(self) -> None:
        self.secret = secrets.token_hex(8)
        self.configure({})

    def configure(self, config: dict) -> None:
        self.limit = int(config.get("limit", os.environ.get("POLITE_LIMIT", 4)))
        self.latency = float(config.get("latency", os.environ.get("POLITE_LATENCY", 0.2)))
        self.flaky_chance = float(config.get("flaky_chance", os.environ.get("POLITE_FLAKY", 0)))
        # {item id: how many times it fails with 503 before it succeeds}
        self.flaky = {int(k): int(v) for k, v in config.get("flaky", {}).items()}
        if "secret" in config:
            self.secret = str(config["secret"])
        self.in_flight = 0
        self.peak = 0
        self.served = 0
        self.rejected = 0
        self.failed = 0
        self.not_found = 0
        self.attempts: Counter[int] = Counter()
        self.first_at: float | None = None  # when the first item request arrived, and when the last one ended
        self.last_at: float | None = None

    def value(self, item: int) -> str:
        return item_value(self.secret, item)

    def stats(self) -> dict:
        return {
            "limit": self.limit,
            "latency": self.latency,
            "in_flight": self.in_flight,
            "peak": self.peak,
            "served": self.served,
            "rejected": self.rejected,
            "failed": self.failed,
            "not_found": self.not_found,
            "attempts": {str(k): v for k, v in sorted(self.attempts.items())},
            # seconds from the first item request's arrival to the last one's answer (0 before any)
            "busy_for": round((self.last_at or 0) - (self.first_at or 0), 4),
        }


state = Politeness()


async def _send(send, status: int, body: bytes, content_type: bytes, extra=()) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _json(send, status: int, payload: dict, extra=()) -> None:
    await _send(send, status, json.dumps(payload).encode(), b"application/json", extra)


async def _read_body(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def item(send, item_id: int) -> None:
    state.attempts[item_id] += 1
    if state.first_at is None:
        state.first_at = time.monotonic()
    state.in_flight += 1
    try:
        if state.in_flight > state.limit:
            state.rejected += 1
            await _json(send, 429, {"error": f"more than {state.limit} requests at once"}, [(b"retry-after", b"1")])
            return
        state.peak = max(state.peak, state.in_flight)
        await asyncio.sleep(state.latency)
        if item_id > NOT_FOUND_ABOVE:
            state.not_found += 1
            await _json(send, 404, {"error": f"no item {item_id}"})
            return
        if state.flaky.get(item_id, 0) > 0 or random.random() < state.flaky_chance:
            state.flaky[item_id] = state.flaky.get(item_id, 0) - 1
            state.failed += 1
            await _json(send, 503, {"error": "temporarily unavailable, try again"})
            return
        state.served += 1
        await _json(send, 200, {"id": item_id, "value": state.value(item_id)})
    finally:
        state.in_flight -= 1
        state.last_at = time.monotonic()


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    path, method = scope["path"], scope["method"]
    if path.startswith("/items/") and method == "GET":
        try:
            item_id = int(path.removeprefix("/items/"))
        except ValueError:
            await _json(send, 404, {"error": "ids are integers"})
            return
        await item(send, item_id)
    elif path == "/stats":
        await _json(send, 200, state.stats())
    elif path == "/reset" and method == "POST":
        body = await _read_body(receive)
        state.configure(json.loads(body or b"{}"))
        await _json(send, 200, state.stats())
    elif path == "/":
        await _send(send, 200, DASHBOARD.encode(), b"text/html; charset=utf-8")
    else:
        await _json(send, 404, {"error": "not here"})


DASHBOARD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>polite server</title>
<style>
 body { font: 16px system-ui, sans-serif; margin: 2rem; max-width: 40rem; }
 .bar { height: 1.6rem; background: #eee; border-radius: 4px; overflow: hidden; }
 .fill { height: 100%; background: #2a9d8f; transition: width .2s; }
 .over { background: #e63946; }
 td { padding: .2rem 1rem .2rem 0; } td + td { font-weight: bold; text-align: right; }
</style></head>
<body>
<h1>Polite server</h1>
<p>Requests in flight (limit <span id="limit">?</span>):</p>
<div class="bar"><div id="fill" class="fill" style="width:0"></div></div>
<table>
 <tr><td>in flight now</td><td id="in_flight">0</td></tr>
 <tr><td>most at once</td><td id="peak">0</td></tr>
 <tr><td>served (200)</td><td id="served">0</td></tr>
 <tr><td>rejected: over the limit (429)</td><td id="rejected">0</td></tr>
 <tr><td>transient failures (503)</td><td id="failed">0</td></tr>
 <tr><td>not found (404)</td><td id="not_found">0</td></tr>
</table>
<p>Run your fetcher against <code>http://127.0.0.1:8004</code> and watch: a polite client keeps the bar at the
limit and never turns it red.</p>
<script>
async function tick() {
  try {
    const s = await (await fetch("/stats")).json();
    for (const k of ["limit", "in_flight", "peak", "served", "rejected", "failed", "not_found"])
      document.getElementById(k).textContent = s[k];
    const fill = document.getElementById("fill");
    fill.style.width = Math.min(100, 100 * s.in_flight / s.limit) + "%";
    fill.className = s.rejected > 0 ? "fill over" : "fill";
  } catch (e) {}
  setTimeout(tick, 300);
}
tick();
</script>
</body></html>
"""
