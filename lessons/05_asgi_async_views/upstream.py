"""A slow upstream service for the lesson: a tiny raw-ASGI app, no Django.

    GET /price?sku=SKU-7     {"sku": "SKU-7", "price": 42.17, "currency": "EUR"}
    GET /stock?sku=SKU-7     {"sku": "SKU-7", "available": 12, "warehouse": "Busan"}
    GET /reviews?sku=SKU-7   {"sku": "SKU-7", "count": 311, "average": 3.86}

Every endpoint sleeps before answering, like a real service doing I/O: `/price` waits UPSTREAM_DELAY
seconds (default 0.1), `/stock` and `/reviews` wait 1.5 times that. Answers depend on the sku, so a
view can't fake them. Run it alone with:

    python -m uvicorn upstream:app --port 8001
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import threading
import zlib
from collections.abc import Iterator
from urllib.parse import parse_qs

WAREHOUSES = ("Seoul", "Busan", "Incheon", "Daegu")
# Relative waits, chosen so that "as long as the slowest call" (0.15 s) and "the sum of all three"
# (0.40 s) are far apart.
WEIGHTS = {"/price": 1.0, "/stock": 1.5, "/reviews": 1.5}


def _number(sku: str, salt: str, modulo: int) -> int:
    return zlib.crc32(f"{salt}:{sku}".encode()) % modulo


def price_of(sku: str) -> dict:
    return {"sku": sku, "price": round(5 + _number(sku, "price", 9500) / 100, 2), "currency": "EUR"}


def stock_of(sku: str) -> dict:
    return {"sku": sku, "available": _number(sku, "stock", 40), "warehouse": WAREHOUSES[_number(sku, "wh", 4)]}


def reviews_of(sku: str) -> dict:
    return {"sku": sku, "count": _number(sku, "count", 500), "average": round(1 + _number(sku, "avg", 401) / 100, 2)}


ANSWERS = {"/price": price_of, "/stock": stock_of, "/reviews": reviews_of}


class Upstream:
    """The ASGI app. It also counts requests in flight, so tests can see how many overlapped."""

    def __init__(self, delay: float = 0.1) -> None:
        self.delay = delay
        self.in_flight = 0
        self.peak = 0
        self.served = 0

    def wait_for(self, path: str) -> float:
        return self.delay * WEIGHTS.get(path, 1.0)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        path = scope["path"]
        query = parse_qs(scope["query_string"].decode())
        sku = query.get("sku", [""])[0]
        if path == "/":
            await _reply(send, 200, {"endpoints": sorted(ANSWERS), "delay": self.delay})
            return
        if path not in ANSWERS:
            await _reply(send, 404, {"error": f"no such endpoint {path}"})
            return
        if not sku:
            await _reply(send, 400, {"error": "sku is required"})
            return
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.wait_for(path))
        finally:
            self.in_flight -= 1
        self.served += 1
        await _reply(send, 200, ANSWERS[path](sku))

    def reset_counters(self) -> None:
        self.peak = self.in_flight
        self.served = 0


async def _reply(send, status: int, body: dict) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


app = Upstream(delay=float(os.environ.get("UPSTREAM_DELAY", "0.1")))


@contextlib.contextmanager
def serve_in_thread(delay: float = 0.1) -> Iterator[tuple[str, Upstream]]:
    """Serve a fresh Upstream on a free loopback port from a background thread; yields (url, app)."""
    import uvicorn

    upstream = Upstream(delay)
    # IPPROTO_TCP, not socket.socket()'s 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # connections whose socket says TCP. Without it uvicorn's two writes per response (head, then body)
    # wait for the client's delayed ACK: +40 ms on every request but a connection's first.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)  # listening before the thread starts: the port is ready as soon as we return
    port = sock.getsockname()[1]
    config = uvicorn.Config(upstream, lifespan="off", log_level="warning", access_log=False, backlog=512)
    server = uvicorn.Server(config)

    def run() -> None:
        # No asyncio debug mode here: the checker's slow-callback reports are about the learner's loop.
        asyncio.run(server.serve(sockets=[sock]), debug=False)

    thread = threading.Thread(target=run, name="upstream", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", upstream
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
