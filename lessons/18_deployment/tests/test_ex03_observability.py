"""Exercise 3: liveness vs readiness, and one request id from the request into a Channels consumer and a
Celery task (on the real servers and a real worker)."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
from websockets.asyncio.client import connect

from awaitlings.testing import fail
from awaitlings.testing.celery import wait_result


async def test_a_request_id_comes_back_and_is_in_the_servers_log(stack):
    async with httpx.AsyncClient(timeout=5) as client:
        given = await client.get(f"{stack.gunicorn.url}/ops/whoami", headers={"X-Request-ID": "lesson18-abc.1"})
        fresh = [await client.get(f"{stack.daphne.url}/ops/whoami") for _ in range(2)]
        unsafe = await client.get(f"{stack.gunicorn.url}/ops/whoami", headers={"X-Request-ID": "two words"})
    if given.headers.get("x-request-id") != "lesson18-abc.1" or given.json()["request_id"] != "lesson18-abc.1":
        fail(f"A request with X-Request-ID: lesson18-abc.1 came back with header {given.headers.get('x-request-id')!r}"
             f" and the app saw {given.json()['request_id']!r}: keep nginx's id for the whole request and send it back.")
    if "[lesson18-abc.1]" not in stack.gunicorn.output():
        fail("gunicorn's log has no line tagged [lesson18-abc.1] for that request: the log filter reads the id from "
             "the context your middleware sets.")
    ids = [r.headers.get("x-request-id") for r in fresh]
    if None in ids or "-" in ids or len(set(ids)) != 2 or [r.json()["request_id"] for r in fresh] != ids:
        fail(f"Two requests without X-Request-ID got ids {ids}: each should get a fresh one of its own.")
    if unsafe.json()["request_id"] in ("two words", "-"):
        fail("X-Request-ID: 'two words' was used as the id. An id from outside ends up in log lines: accept only "
             "letters, digits and . _ - (up to 64), else make a new one.")


async def test_the_request_id_follows_into_a_websocket_consumer(stack):
    for server in (stack.gunicorn, stack.daphne):
        url = server.url.replace("http://", "ws://") + "/ops/echo"
        async with connect(url, additional_headers={"X-Request-ID": "ws-77"}, open_timeout=5) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
            await ws.send(json.dumps({"n": 2}))
            echo = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if hello["request_id"] != "ws-77" or echo["request_id"] != "ws-77":
            fail(f"A WebSocket opened with X-Request-ID: ws-77 on {hello['hello'].split('/')[0]}: its consumer saw "
                 f"{hello['request_id']!r} on connect and {echo['request_id']!r} on receive. The middleware runs for "
                 "websocket scopes too, around the whole connection.")


async def test_liveness_stays_up_and_readiness_names_redis_while_redis_is_down(stack, redis_server):
    async with httpx.AsyncClient(timeout=5) as client:
        ready = await client.get(f"{stack.gunicorn.url}/readyz")
        if ready.status_code != 200 or ready.json().get("redis") != "ok" or ready.json().get("database") != "ok":
            fail(f"/readyz with Redis and the database up answered {ready.status_code} {ready.text[:200]}; "
                 "expected 200 with redis: ok and database: ok.")
        redis_server.stop()
        try:
            live = await client.get(f"{stack.gunicorn.url}/healthz")
            down = await client.get(f"{stack.daphne.url}/readyz")
        finally:
            redis_server.start()
        back = await client.get(f"{stack.gunicorn.url}/readyz")
    if live.status_code != 200:
        fail(f"/healthz answered {live.status_code} while Redis was down. Liveness says \"this process can answer\": "
             "if it checks Redis, an orchestrator restarts every web process during a Redis blip, making it worse.")
    body = down.json() if down.headers.get("content-type") == "application/json" else {}
    if down.status_code != 503 or not str(body.get("redis", "")).startswith("error") or body.get("database") != "ok":
        fail(f"/readyz answered {down.status_code} {down.text[:200]} while Redis was down; expected 503 with "
             "redis: error: ... and database: ok, so the load balancer stops sending traffic here.")
    if back.status_code != 200:
        fail(f"/readyz answered {back.status_code} after Redis came back; expected 200 again.")


# Last in this file: the worker (started with the servers) gets the other tests' time to finish booting.
async def test_the_request_id_follows_into_a_celery_task(stack, worker, celery_client):
    async with httpx.AsyncClient(timeout=5) as client:
        sent = await client.post(f"{stack.gunicorn.url}/ops/task", headers={"X-Request-ID": "task-42"})
    if sent.status_code != 202:
        fail(f"POST /ops/task answered {sent.status_code}: {sent.text[:200]}")
    result = celery_client.AsyncResult(sent.json()["task_id"])
    got = await asyncio.to_thread(wait_result, result, worker, timeout=8, task="deploy.whoami")
    if got["request_id"] != "task-42":
        fail(f"The task sent while handling X-Request-ID: task-42 ran with request id {got['request_id']!r}. "
             "Put the id in the message's headers when it is published (before_task_publish) and set it again "
             "when the worker starts the task (task_prerun).")
    if not re.search(r"\[task-42\].*whoami in worker", worker.output()):
        fail("The worker's log has no line tagged [task-42] for that task.")
