"""Exercise 3a: health endpoints, answered before Django's URL routing.

/healthz (liveness): "this process can answer". It never touches Redis or the database: an orchestrator
that restarts every web process whenever Redis blips makes an outage worse.
/readyz (readiness): "send me traffic". It checks what a request needs (Redis, the database), each with a
short timeout, and answers 503 naming what failed, so a load balancer takes this process out of rotation."""

import asyncio
import json
import os

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

CHECK_TIMEOUT = 1.0  # seconds per dependency: a probe must answer before the prober gives up


async def _respond(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": data})


# --8<-- [start:checks]
async def check_redis() -> None:
    client = aioredis.from_url(settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT,
                               socket_timeout=CHECK_TIMEOUT)
    try:
        await client.ping()
    finally:
        await client.aclose()


def _select_one() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread is not a request: don't keep its connection open


async def check_database() -> None:
    await sync_to_async(_select_one, thread_sensitive=False)()


async def readiness() -> dict[str, str]:
    checks = {"redis": check_redis, "database": check_database}

    async def run(check) -> str:
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT + 0.5)
            return "ok"
        except Exception as error:  # noqa: BLE001 - a probe reports what failed, it doesn't crash
            return f"error: {type(error).__name__}"

    results = await asyncio.gather(*(run(check) for check in checks.values()))  # both at once
    return dict(zip(checks, results))
# --8<-- [end:checks]


# --8<-- [start:routes]
class HealthRoutes:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/healthz":
            return await _respond(send, 200, {"status": "alive", "pid": os.getpid()})
        if scope["type"] == "http" and scope["path"] == "/readyz":
            checks = await readiness()
            ready = all(value == "ok" for value in checks.values())
            return await _respond(send, 200 if ready else 503, {"ready": ready, **checks})
        return await self.app(scope, receive, send)
# --8<-- [end:routes]
