"""Exercise 3a: health endpoints, answered before Django's URL routing.

/healthz (liveness) should say "this process can answer"; /readyz (readiness) "send me traffic": it
checks what a request needs (Redis, the database), each with a short timeout, and answers 503 naming
what failed. Right now they are the other way round."""

import json
import os

import redis.asyncio as aioredis
from django.conf import settings


async def _respond(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": data})


async def readiness() -> dict[str, str]:
    # TODO: check Redis (PING) and the database (SELECT 1), each with a timeout of about a second;
    #       "ok" or "error: <ExceptionName>" per check, never an exception.
    return {"redis": "ok", "database": "ok"}


class HealthRoutes:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/healthz":
            # TODO: liveness must not depend on Redis: a Redis blip would get every web process restarted.
            client = aioredis.from_url(settings.REDIS_URL)
            try:
                await client.ping()
            finally:
                await client.aclose()
            return await _respond(send, 200, {"status": "alive", "pid": os.getpid()})
        if scope["type"] == "http" and scope["path"] == "/readyz":
            checks = await readiness()
            # TODO: 503 when any check failed.
            return await _respond(send, 200, {"ready": True, **checks})
        return await self.app(scope, receive, send)
