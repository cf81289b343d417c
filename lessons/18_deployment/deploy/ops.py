"""The lab's probes (course-owned): small endpoints the tests, the bench and you use to see what a request
looks like on the far side of nginx. Everything else goes on to the capstone.

    GET  /ops/whoami          which server answered, and who it thinks the client is
    GET  /ops/ticks?n=5       Server-Sent Events: one tick every 0.2 s (sent with a Content-Length: see _ticks)
    GET  /ops/slow?s=1&tag=x  answers after s seconds (a request in flight during a restart; logs `slow x` first)
    POST /ops/task            sends the deploy.whoami task (its id comes back)
    WS   /ops/echo            a Channels consumer that echoes, tagged with the server and the request id

In a real deployment, keep such probes off the public side (nginx: `location /ops/ { deny all; }`)."""

import asyncio
import json
import logging
import os
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from deploy.request_id import current_request_id

logger = logging.getLogger("deploy.ops")
SERVER = os.environ.get("DEPLOY_SERVER", "asgi")  # "gunicorn" or "daphne": set by the process's command


def server_tag() -> str:
    return f"{SERVER}/{os.getpid()}"


async def _json(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


def _query(scope) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}


class EchoConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await self.send_json({"hello": server_tag(), "request_id": current_request_id()})

    async def receive_json(self, content, **kwargs):
        logger.info("echo %s", content)
        await self.send_json({"echo": content, "server": server_tag(), "request_id": current_request_id()})


class OpsRoutes:
    def __init__(self, app):
        self.app = app
        self.echo = EchoConsumer.as_asgi()

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "websocket" and path == "/ops/echo":
            return await self.echo(scope, receive, send)
        if scope["type"] != "http" or not path.startswith("/ops/"):
            return await self.app(scope, receive, send)
        query = _query(scope)
        if path == "/ops/whoami":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            logger.info("whoami from %s", scope["client"][0] if scope.get("client") else "?")
            return await _json(send, 200, {
                "server": server_tag(), "client": scope["client"][0] if scope.get("client") else None,
                "scheme": scope.get("scheme"), "host": headers.get("host"), "request_id": current_request_id()})
        if path == "/ops/slow":
            logger.info("slow %s: sleeping %s s", query.get("tag", "-"), query.get("s", "1"))  # in flight from here
            await asyncio.sleep(float(query.get("s", "1")))
            return await _json(send, 200, {"server": server_tag(), "slept": float(query.get("s", "1"))})
        if path == "/ops/ticks":
            return await self._ticks(send, int(query.get("n", "5")), float(query.get("every", "0.2")))
        if path == "/ops/task" and scope.get("method") == "POST":
            from deploy.celery import app

            result = await sync_to_async(app.send_task, thread_sensitive=False)("deploy.whoami")
            logger.info("sent deploy.whoami %s", result.id)
            return await _json(send, 202, {"task_id": result.id, "request_id": current_request_id()})
        return await _json(send, 404, {"error": f"no probe at {path}"})

    @staticmethod
    async def _ticks(send, count: int, every: float) -> None:
        # No X-Accel-Buffering header on purpose: whether the ticks arrive one by one is up to nginx's config.
        # And a Content-Length (the ticks are known in advance): with HTTP/1.1 to the backend, nginx happens to
        # pass a *chunked* body on chunk by chunk even while buffering, so a chunked probe could not tell
        # `proxy_buffering on` from `off`. A body of known length (or one that ends when the connection closes,
        # as over HTTP/1.0) waits in nginx's buffer until it is complete, unless buffering is off.
        events = [f"id: {tick}\ndata: {json.dumps({'tick': tick, 'server': server_tag()})}\n\n".encode()
                  for tick in range(count)]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache"),
                                (b"content-length", str(sum(map(len, events))).encode())]})
        for tick, body in enumerate(events):
            if tick:
                await asyncio.sleep(every)
            await send({"type": "http.response.body", "body": body, "more_body": tick < count - 1})
        if not events:
            await send({"type": "http.response.body", "body": b""})
