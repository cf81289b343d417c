"""The measurements of lesson 06 (the notebook plots them; this prints them).

    python measure.py          what thread_sensitive does: in one process, then on a real uvicorn server
    python measure.py leak     two async tests, with plain `django_db` and with `transaction=True`

Everything runs on loopback and in temporary files; nothing touches db.sqlite3."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
BLOCK = 0.2  # seconds each blocking call holds its thread (bookshelf.bench.BLOCK_SECONDS)


# --8<-- [start:in_process]
async def in_process(calls: int, thread_sensitive: bool) -> dict:
    """`calls` blocking calls awaited together from one coroutine, outside any request."""
    from asgiref.sync import sync_to_async

    from bookshelf.bench import blocking_io

    call = sync_to_async(blocking_io, thread_sensitive=thread_sensitive)
    started = time.perf_counter()
    threads = await asyncio.gather(*(call(BLOCK) for _ in range(calls)))
    return {"elapsed": time.perf_counter() - started, "threads": len(set(threads))}
# --8<-- [end:in_process]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Uvicorn:
    """The bookshelf on a real uvicorn process, on a free loopback port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Uvicorn:
        env = {**os.environ, "PYTHONPATH": str(HERE), "DJANGO_SETTINGS_MODULE": "project.settings", "DJANGO_DEBUG": "0"}
        env.pop("PYTHONASYNCIODEBUG", None)  # debug mode slows the loop: measure the real thing
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "project.asgi:application", "--port", str(self.port),
             "--log-level", "warning"],
            cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# --8<-- [start:burst]
async def burst(client: httpx.AsyncClient, path: str, requests: int) -> dict:
    """`requests` concurrent GETs; how long the whole burst took and how many threads served it."""
    started = time.perf_counter()
    responses = await asyncio.gather(*(client.get(path) for _ in range(requests)))
    elapsed = time.perf_counter() - started
    threads = {r.raise_for_status().json()["thread"] for r in responses}
    return {"elapsed": elapsed, "threads": len(threads)}
# --8<-- [end:burst]


async def on_server(requests: int = 48) -> dict[str, dict]:
    with Uvicorn() as server:
        limits = httpx.Limits(max_connections=requests, max_keepalive_connections=requests)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as client:
            for path in ("/bench/sensitive/", "/bench/insensitive/"):
                await burst(client, path, 8)  # warm up: imports, connections
            return {
                "thread_sensitive=True": await burst(client, "/bench/sensitive/", requests),
                "thread_sensitive=False": await burst(client, "/bench/insensitive/", requests),
            }


def leak_demo(transaction: bool) -> str:
    """Run demos/leak_check.py under pytest; its last line says what passed."""
    env = {**os.environ, "PYTHONPATH": str(HERE), "LEAK_DEMO_TRANSACTION": "1" if transaction else "0"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "demos/leak_check.py", "-q", "-p", "no:awaitlings", "-p", "no:cacheprovider",
         "--ds", "project.settings", "-c", os.devnull, "-o", "asyncio_mode=auto",
         "-o", "asyncio_default_fixture_loop_scope=function", "--tb=line", "--no-header", "--color=no"],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]


async def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    sys.path.insert(0, str(HERE))
    calls = 12
    print(f"{calls} blocking calls of {BLOCK} s, gathered in one coroutine (no request around them):")
    for sensitive in (True, False):
        r = await in_process(calls, sensitive)
        print(f"  thread_sensitive={sensitive!s:5}  {r['elapsed']:.2f} s on {r['threads']} thread(s)")
    print("48 concurrent requests to a real uvicorn server, each view making one blocking call:")
    results = await on_server()
    for name, r in results.items():
        print(f"  {name:22}  {r['elapsed']:.2f} s on {r['threads']} thread(s)")
    slow, fast = results["thread_sensitive=False"]["elapsed"], results["thread_sensitive=True"]["elapsed"]
    print(f"  thread_sensitive=False took {slow / fast:.1f}x as long")


if __name__ == "__main__":
    if sys.argv[1:] == ["leak"]:
        print("plain django_db:       ", leak_demo(transaction=False))
        print("django_db(transaction=True):", leak_demo(transaction=True))
    else:
        asyncio.run(main())
