"""Requests per second of one slow-upstream page, served six ways.

Every request makes the view wait on the upstream for UPSTREAM_DELAY seconds. The load generator keeps
CONCURRENCY requests in flight until it has sent REQUESTS of them, and reports completed requests per
second for each way of serving the page:

- gunicorn with 2 sync workers (WSGI), sync view: one request per worker at a time;
- uvicorn, the same sync view: Django runs it in a thread per request;
- uvicorn, async view with httpx.AsyncClient;
- daphne, the same async view;
- gunicorn -k uvicorn_worker.UvicornWorker -w 2, the same async view;
- uvicorn, async view calling a blocking client: the trap.

    python bench.py              # 200 requests at concurrency 50, upstream delay 0.1 s
    python bench.py --quick      # 60 requests at concurrency 20, upstream delay 0.05 s
    python bench.py --repeat 3   # run every case 3 times and keep its best run

Loopback only, bounded in requests and time; every server is stopped when its run ends. The load
generator shares the machine's cores with the servers, so compare the ratios, not the absolute numbers.
Other work on the machine can only slow a run down, never speed it up, so with --repeat the best run
of each case is the one least disturbed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

HERE = Path(__file__).resolve().parent
PY = sys.executable

# --8<-- [start:servers]
SERVERS = {
    "gunicorn sync -w 2 (WSGI)": [PY, "-m", "gunicorn", "project.wsgi:application", "-w", "2", "-k", "sync",
                                  "-b", "127.0.0.1:{port}", "--timeout", "120"],
    "uvicorn": [PY, "-m", "uvicorn", "project.asgi:application", "--host", "127.0.0.1", "--port", "{port}",
                "--lifespan", "off", "--no-access-log"],
    "daphne": [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "project.asgi:application"],
    "gunicorn -k uvicorn_worker.UvicornWorker -w 2": [PY, "-m", "gunicorn", "project.asgi:application", "-w", "2",
                                                      "-k", "uvicorn_worker.UvicornWorker", "-b", "127.0.0.1:{port}"],
}
# --8<-- [end:servers]

# (server, view label, path): the reference views live in project/bench_views.py.
CASES = [
    ("gunicorn sync -w 2 (WSGI)", "sync view", "/bench/sync"),
    ("uvicorn", "sync view", "/bench/sync"),
    ("uvicorn", "async view", "/bench/async"),
    ("daphne", "async view", "/bench/async"),
    ("gunicorn -k uvicorn_worker.UvicornWorker -w 2", "async view", "/bench/async"),
    ("uvicorn", "async view, blocking client", "/bench/blocking"),
]


@dataclass
class Result:
    server: str
    view: str
    requests: int
    ok: int
    errors: int
    seconds: float
    p50: float
    cpu_ms: float | None = None  # server CPU time per answered request (Linux only)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def label(self) -> str:
        return f"{self.server}\n{self.view}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A server process in its own session, so stopping it stops its workers too."""

    def __init__(self, cmd: list[str], env: dict[str, str]) -> None:
        self.port = free_port()
        self.cmd = [part.format(port=self.port) for part in cmd]
        self.log = tempfile.TemporaryFile()
        pythonpath = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            self.cmd, cwd=HERE, env={**os.environ, "PYTHONPATH": pythonpath, **env},
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{' '.join(self.cmd[2:4])} exited early:\n{self.output()[-2000:]}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise TimeoutError(f"{' '.join(self.cmd[2:4])} did not listen within {timeout:.0f} s")

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the server and its worker processes (from /proc, so Linux only)."""
        try:
            stats = [Path(f"/proc/{self.process.pid}/stat").read_text()]
            for path in Path("/proc").glob("[0-9]*/stat"):
                try:
                    text = path.read_text()
                except OSError:
                    continue
                if int(text.rpartition(")")[2].split()[1]) == self.process.pid:
                    stats.append(text)
        except (OSError, ValueError):
            return None
        ticks = sum(int(f[11]) + int(f[12]) for f in (t.rpartition(")")[2].split() for t in stats))
        return ticks / os.sysconf("SC_CLK_TCK")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)
        self.log.close()


class Connection:
    """A bare keep-alive HTTP/1.1 connection. A full client such as httpx spends about 10 ms of CPU per
    request, more than the servers under test, so on a 2-core machine it would measure itself."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        await self.writer.drain()
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers = dict((k.strip().lower(), v.strip().lower()) for k, _, v in (h.partition(":") for h in head[1:] if h))
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                body += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection") == "close":  # gunicorn's sync workers close after every response
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


# --8<-- [start:load]
async def load(url: str, requests: int, concurrency: int, time_limit: float) -> tuple[int, int, float, list[float]]:
    """Keep `concurrency` requests in flight until `requests` were sent (or time ran out)."""
    parts = urlsplit(url)
    sent = ok = errors = 0
    latencies: list[float] = []
    deadline = time.monotonic() + time_limit

    async def worker() -> None:
        nonlocal sent, ok, errors
        connection = Connection(parts.hostname, parts.port)
        try:
            while sent < requests and time.monotonic() < deadline:
                sent += 1
                sku = f"SKU-{sent}"
                started = time.perf_counter()
                try:
                    status, body = await connection.get(f"{parts.path}?sku={sku}")
                    if status == 200 and json.loads(body).get("sku") == sku:
                        ok += 1
                    else:
                        errors += 1
                except (OSError, ValueError, asyncio.IncompleteReadError):
                    errors += 1
                    connection.close()
                latencies.append(time.perf_counter() - started)
        finally:
            connection.close()

    started = time.perf_counter()
    async with asyncio.timeout(time_limit + 30):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, errors, time.perf_counter() - started, latencies
# --8<-- [end:load]


async def measure(server: str, view: str, path: str, upstream_url: str, requests: int, concurrency: int,
                  time_limit: float) -> Result:
    process = Process(SERVERS[server], {"UPSTREAM_URL": upstream_url, "DJANGO_DEBUG": "0"})
    try:
        await process.ready()
        url = process.url + path
        # Warm up: Django (and each gunicorn worker) sets itself up on its first requests.
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(client.get(url, params={"sku": "SKU-1"}) for _ in range(4)))
        cpu_before = process.cpu_seconds()
        ok, errors, seconds, latencies = await load(url, requests, concurrency, time_limit)
        cpu_after = process.cpu_seconds()
        p50 = statistics.median(latencies) if latencies else 0.0
        cpu_ms = (cpu_after - cpu_before) * 1000 / ok if ok and cpu_before is not None and cpu_after is not None else None
        return Result(server, view, requests, ok, errors, seconds, p50, cpu_ms)
    finally:
        process.stop()


async def run(quick: bool = True, cases: list[tuple[str, str, str]] | None = None, requests: int | None = None,
              concurrency: int | None = None, delay: float | None = None, time_limit: float = 60.0,
              repeat: int = 1, echo: bool = True) -> list[Result]:
    """Measure every case (`repeat` times, keeping the best run); returns the results (the notebook plots them)."""
    requests = requests or (60 if quick else 200)
    concurrency = concurrency or (20 if quick else 50)
    delay = delay if delay is not None else (0.05 if quick else 0.1)
    upstream = Process([PY, "-m", "uvicorn", "upstream:app", "--host", "127.0.0.1", "--port", "{port}",
                        "--lifespan", "off", "--no-access-log", "--backlog", "4096"],
                       {"UPSTREAM_DELAY": str(delay)})
    results = []
    try:
        await upstream.ready()
        if echo:
            best = f", best of {repeat} runs" if repeat > 1 else ""
            print(f"{requests} requests at concurrency {concurrency}, upstream delay {delay:.2f} s per request{best}")
        for server, view, path in cases or CASES:
            runs = [await measure(server, view, path, upstream.url, requests, concurrency, time_limit)
                    for _ in range(max(1, repeat))]
            result = max(runs, key=lambda r: r.rps)
            results.append(result)
            if echo:
                cpu = f"{result.cpu_ms:5.1f}" if result.cpu_ms is not None else "    ?"
                print(f"  {result.rps:7.1f} req/s  p50 {result.p50 * 1000:6.0f} ms  server CPU {cpu} ms/req  "
                      f"{result.ok:4d} ok  {result.errors:3d} errors  {server}, {view}")
    finally:
        upstream.stop()
    return results


def ratios(results: list[Result]) -> dict[str, float]:
    """The comparisons the lesson talks about, as ratios of requests per second."""
    by = {(r.server, r.view): r.rps for r in results}
    out = {}
    wsgi = by.get(("gunicorn sync -w 2 (WSGI)", "sync view"))
    asgi = by.get(("uvicorn", "async view"))
    trap = by.get(("uvicorn", "async view, blocking client"))
    threaded = by.get(("uvicorn", "sync view"))
    if wsgi and asgi:
        out["async view on uvicorn / sync view on gunicorn -w 2"] = asgi / wsgi
    if asgi and trap:
        out["async view on uvicorn / blocking call in an async view"] = asgi / trap
    if asgi and threaded:
        out["async view on uvicorn / sync view on uvicorn"] = asgi / threaded
    return out


def client_setup_cost(rounds: int = 20) -> tuple[float, float]:
    """Seconds to create one httpx.AsyncClient: with a new TLS context, and with a shared one."""
    started = time.perf_counter()
    for _ in range(rounds):
        httpx.AsyncClient()
    fresh = (time.perf_counter() - started) / rounds
    shared_tls = httpx.create_ssl_context()
    started = time.perf_counter()
    for _ in range(rounds):
        httpx.AsyncClient(verify=shared_tls)
    shared = (time.perf_counter() - started) / rounds
    return fresh, shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 requests at concurrency 20, delay 0.05 s")
    parser.add_argument("--requests", type=int)
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--delay", type=float, help="upstream delay per request, seconds")
    parser.add_argument("--time-limit", type=float, default=60.0, help="stop each run after this many seconds")
    parser.add_argument("--repeat", type=int, default=1, help="run each case this many times, keep the best")
    args = parser.parse_args()
    results = asyncio.run(run(args.quick, requests=args.requests, concurrency=args.concurrency, delay=args.delay,
                              time_limit=args.time_limit, repeat=args.repeat))
    for name, value in ratios(results).items():
        print(f"{name}: {value:.1f}x")
    fresh, shared = client_setup_cost()
    print(f"httpx.AsyncClient(): {fresh * 1000:.1f} ms each with a new TLS context, "
          f"{shared * 1000:.2f} ms with a shared one ({fresh / shared:.0f}x)")


if __name__ == "__main__":
    main()
