"""Rolling restart under load (course-owned): HTTP clients and WebSocket clients talk to nginx while one
backend is restarted (SIGTERM, drain, start again). Loopback only, bounded in count and time.

    python bench.py              # from lessons/18_deployment, with your deploy files: prints the figures
    python bench.py --solutions  # with the reference deploy files

`rolling_restart()` is also what tests/test_examples.py runs, smaller."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

MAX_REQUESTS_PER_CLIENT = 20_000  # bounds, whatever happens
MAX_SECONDS = 60


@dataclass
class Figures:
    http_ok: int = 0
    http_failed: int = 0
    http_failures: Counter = field(default_factory=Counter)  # status code or exception name
    by_server: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    ws_clients: int = 0
    ws_close_codes: Counter = field(default_factory=Counter)
    ws_reconnects: int = 0
    ws_lost: set = field(default_factory=set)  # clients whose socket was closed or dropped at least once
    ws_resumed: set = field(default_factory=set)  # clients that echoed again after a reconnect
    ws_errors: int = 0
    restart_seconds: float = 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies) or [0.0]
        return {
            "http_requests": self.http_ok + self.http_failed, "http_failed": self.http_failed,
            "http_failures": dict(self.http_failures),
            "by_server": dict(self.by_server), "p50_ms": round(lat[len(lat) // 2] * 1000, 1),
            "p99_ms": round(lat[int(len(lat) * 0.99) - 1 if len(lat) > 1 else 0] * 1000, 1),
            "ws_clients": self.ws_clients, "ws_close_codes": dict(self.ws_close_codes),
            "ws_reconnects": self.ws_reconnects, "ws_lost": len(self.ws_lost), "ws_resumed": len(self.ws_resumed),
            "ws_errors": self.ws_errors, "restart_seconds": round(self.restart_seconds, 2),
        }


async def _http_client(url: str, stop: asyncio.Event, figures: Figures) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if stop.is_set():
                return
            started = time.perf_counter()
            try:
                reply = await client.get(f"{url}/ops/whoami")
                if reply.status_code == 200:
                    figures.http_ok += 1
                    figures.by_server[reply.json()["server"].split("/")[0]] += 1
                    figures.latencies.append(time.perf_counter() - started)
                else:
                    figures.http_failed += 1
                    figures.http_failures[str(reply.status_code)] += 1
            except httpx.HTTPError as error:
                figures.http_failed += 1
                figures.http_failures[type(error).__name__] += 1
            await asyncio.sleep(0.005)


async def _ws_client(url: str, number: int, stop: asyncio.Event, figures: Figures) -> None:
    """Connect, echo every 50 ms; when the server closes, reconnect (through nginx) and carry on."""
    reconnected = False
    while not stop.is_set():
        try:
            async with connect(url, open_timeout=5) as ws:
                await asyncio.wait_for(ws.recv(), 5)  # hello
                while not stop.is_set():
                    await ws.send(json.dumps({"client": number}))
                    await asyncio.wait_for(ws.recv(), 5)
                    if reconnected:
                        figures.ws_resumed.add(number)
                    await asyncio.sleep(0.05)
                return
        except ConnectionClosed as closed:
            figures.ws_close_codes[closed.rcvd.code if closed.rcvd else 1006] += 1
        except (OSError, InvalidStatus, TimeoutError):
            figures.ws_errors += 1
        figures.ws_reconnects += 1
        figures.ws_lost.add(number)
        reconnected = True
        await asyncio.sleep(0.05)


async def rolling_restart(url: str, restart, *, http_clients: int = 4, ws_clients: int = 4,
                          before: float = 0.5, after: float = 1.0) -> Figures:
    """Load through nginx at `url`; `restart()` (blocking: stop one backend, start it again) runs in a thread
    in the middle. Returns the figures."""
    figures, stop = Figures(ws_clients=ws_clients), asyncio.Event()
    ws_url = url.replace("http://", "ws://") + "/ops/echo"
    tasks = [asyncio.create_task(_http_client(url, stop, figures)) for _ in range(http_clients)]
    tasks += [asyncio.create_task(_ws_client(ws_url, n, stop, figures)) for n in range(ws_clients)]
    try:
        async with asyncio.timeout(MAX_SECONDS):
            await asyncio.sleep(before)
            started = time.perf_counter()
            await asyncio.to_thread(restart)
            figures.restart_seconds = time.perf_counter() - started
            await asyncio.sleep(after)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    return figures


def restart_server(server) -> None:
    """SIGTERM to the main process (a deploy), wait until it has drained and exited, start it again."""
    os.kill(server.process.pid, signal.SIGTERM)
    server.process.wait(timeout=30)
    server.start().wait_ready()


def main() -> None:  # pragma: no cover - a measurement, printed
    import tempfile
    from pathlib import Path

    here = Path(__file__).resolve().parent
    if "--solutions" in sys.argv:
        from awaitlings.course import Course
        from awaitlings.targets import build_overlay

        here = build_overlay(Course().lesson("18"), "solutions")
    sys.path.insert(0, str(here))
    from awaitlings.testing import free_port
    from awaitlings.testing.nginx import Nginx
    from awaitlings.testing.redis_server import RedisServer
    from deploy import stage

    work = Path(tempfile.mkdtemp(prefix="lesson18-bench-"))
    capstone = stage.capstone_folder(work / "capstone")
    with RedisServer(workdir=work) as redis:
        env = stage.environment(redis_url=redis.url, database_url=f"sqlite:///{work / 'db.sqlite3'}", capstone=capstone,
                                deploy_root=here)
        servers = stage.web_servers(env, capstone, workers=2, deploy_root=here)
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait_ready()
        site = (here / "deploy" / "nginx.conf").read_text()
        port = free_port()
        with Nginx(site, port=port, worker_processes=2, values={
                "LISTEN": f"127.0.0.1:{port}", "GUNICORN": f"127.0.0.1:{servers['gunicorn'].port}",
                "DAPHNE": f"127.0.0.1:{servers['daphne'].port}"}) as nginx:
            for name in ("gunicorn", "daphne"):
                figures = asyncio.run(rolling_restart(nginx.url, lambda n=name: restart_server(servers[n]),
                                                      http_clients=8, ws_clients=20, before=2.0, after=3.0))
                print(json.dumps({"restarted": name, **figures.summary()}), flush=True)
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
