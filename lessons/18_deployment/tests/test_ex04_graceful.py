"""Exercise 4: SIGTERM to a web server with open WebSockets closes them with 1001 and lets a request in
flight finish; a Celery worker told to stop at once (cold shutdown) still finishes its running task."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from awaitlings.testing import fail


async def _close_code(ws) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 6)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return -1


SLOW = 0.5  # the request in flight: SIGTERM comes as soon as it started, so it is still running for ~0.5 s


async def _in_flight(server, marker: str, request: asyncio.Task, limit: float = 0.3) -> None:
    """Until the server logged that the slow request started (deploy/ops.py: in ~20 ms), not a guessed sleep;
    if its log never says so (logging changed), the request has had `limit` seconds to arrive."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and marker not in server.output() and not request.done():
        await asyncio.sleep(0.01)


async def _stopping(server, limit: float) -> bool:
    """The server's own shutdown ran: it exited, or at least closed its listening socket (connections are
    refused), which is the first thing gunicorn, uvicorn and Twisted do once their SIGTERM handler runs.
    Not waiting for the exit itself: a Django process takes up to a second to finalize its interpreter."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return True
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
        except OSError:
            return True  # refused: nothing listens any more
        writer.close()
        await asyncio.sleep(0.02)
    return False


def _wrong_close(codes: dict[str, int | None]) -> str | None:
    # daphne's autobahn refuses 1001 from applications (only 1000 and 3000-4999): there the app says 4001.
    expected = {"gunicorn": {1001}, "daphne": {1001, 4001}}
    for name, code in codes.items():
        if code not in expected[name]:
            what = {1012: "1012 (uvicorn's own \"service restart\")", None: "no close frame at all (dropped)",
                    -1: "nothing: it stayed open"}.get(code, str(code))
            return (f"After SIGTERM to {name}, an open WebSocket was closed with {what}, expected {' or '.join(map(str, sorted(expected[name])))} "
                    "(going away): your middleware should close every open socket itself before the server's shutdown starts.")
    return None


async def test_sigterm_closes_websockets_with_1001_and_finishes_requests_in_flight(stack):
    servers = {"gunicorn": stack.gunicorn, "daphne": stack.daphne}  # the shared ones: this file runs last
    sockets = {}
    for name, server in servers.items():
        ws = await connect(server.url.replace("http://", "ws://") + "/ops/echo", open_timeout=5)
        await asyncio.wait_for(ws.recv(), 5)  # hello
        sockets[name] = ws
    async with httpx.AsyncClient(timeout=10) as client:
        slow = asyncio.create_task(client.get(f"{stack.gunicorn.url}/ops/slow?s={SLOW}&tag=inflight-{os.getpid()}"))
        await _in_flight(stack.gunicorn, f"slow inflight-{os.getpid()}", slow)
        for server in servers.values():
            os.kill(server.process.pid, signal.SIGTERM)  # the main process, as a process manager does
        codes = dict(zip(sockets, await asyncio.gather(*(_close_code(ws) for ws in sockets.values()))))
        wrong = _wrong_close(codes)
        if wrong:  # known now: no need to wait for the request in flight first
            slow.cancel()
            await asyncio.gather(slow, return_exceptions=True)
            fail(wrong)
        try:
            finished = await slow
        except httpx.HTTPError as error:
            finished = error
    if isinstance(finished, Exception) or finished.status_code != 200:
        fail(f"A request in flight on gunicorn when SIGTERM came ended with {finished!r}; it should finish (200): "
             "after closing the sockets, hand the signal on to the server so it drains as usual.")
    for name, server in servers.items():
        if not await _stopping(server, 10):
            fail(f"{name} was still running (and listening) 10 s after SIGTERM: call the server's previous SIGTERM handler.")


def _gone(pid: int) -> bool:
    """The pool process ended (a zombie its parent hasn't reaped yet counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True
    except OSError:
        return False


NAP = 0.2  # what the task still has to do once the worker has decided what its cold shutdown does with it


def _shutdown_decided(worker, since: int, runner: int) -> bool:
    """Celery has either started a soft shutdown (it says so, then waits for the running task) or cut the
    task off (the process running it, or the worker, is gone)."""
    return ("Initiating Soft Shutdown" in worker.output()[since:] or worker.process.poll() is not None
            or (os.path.isdir("/proc") and _gone(runner)))


async def test_a_worker_finishes_its_running_task_on_a_cold_shutdown(worker, celery_client, tmp_path):
    # The task naps behind a gate that opens once the worker's shutdown has decided (soft shutdown, or cut
    # off): the task is certainly still running then, however slow the machine, without guessing a task
    # length that outlasts the signal.
    gate = tmp_path / "shutdown-decided"
    # Sync Celery calls go to a thread: the test's own event loop never waits on Redis.
    result = await asyncio.to_thread(celery_client.send_task, "deploy.nap", args=[NAP, str(gate)], queue="default")
    napping = await asyncio.to_thread(worker.wait_for_log, r"napping [\d.]+ s in pid (\d+)", 8)
    runner = int(napping.group(1))  # the pool process running the task
    since = len(worker.output())
    os.kill(worker.process.pid, signal.SIGQUIT)  # cold shutdown: a second Ctrl-C, or a stop in a hurry
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _shutdown_decided(worker, since, runner):
            gate.touch()  # never before: a worker that is slow to cut the task off must not see it finish
            break
        await asyncio.sleep(0.01)
    deadline = time.monotonic() + 4
    exited_at = None
    while time.monotonic() < deadline and not await asyncio.to_thread(result.ready):
        if exited_at is None and (worker.process.poll() is not None or (os.path.isdir("/proc") and _gone(runner))):
            exited_at = time.monotonic()  # the worker, or the process running the task, is gone
        if exited_at is not None and time.monotonic() - exited_at > 0.1:
            break  # ... and the result didn't come: the task was cut off (a finished task stores it first)
        await asyncio.sleep(0.05)
    got = result.result if await asyncio.to_thread(result.ready) else None
    if got != NAP:
        fail("A worker got SIGQUIT (a cold shutdown) while running a task and "
             f"{'exited' if exited_at else 'stopped'} without finishing it (state {result.state}). With Celery's "
             "soft shutdown (worker_soft_shutdown_timeout) a running task gets time to finish before the worker goes.")
