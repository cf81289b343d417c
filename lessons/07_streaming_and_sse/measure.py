"""The measurements of lesson 07 (the notebook plots them; this prints them).

    python measure.py      when each line of a sync and of an async generator reaches the client

It starts the live ticker on a real uvicorn process on a free loopback port."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Uvicorn:
    """The live ticker on a real uvicorn process; its log is kept in `self.log()`."""

    def __init__(self, feed_interval: float = 0.2, countdown_step: float = 0.2) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(HERE),
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DJANGO_DEBUG": "0",
            "FEED_INTERVAL": str(feed_interval),
            "COUNTDOWN_STEP": str(countdown_step),
        }
        self.env.pop("PYTHONASYNCIODEBUG", None)
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()

    def __enter__(self) -> Uvicorn:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "project.asgi:application", "--port", str(self.port),
             "--timeout-graceful-shutdown", "1"],
            cwd=HERE, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                httpx.get(f"{self.url}/feed/stats/", timeout=10)  # imports the URLconf and the views
                return self
            except (OSError, httpx.HTTPError):
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"uvicorn did not start:\n{self.log()}")

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# --8<-- [start:arrivals]
async def arrivals(client: httpx.AsyncClient, path: str) -> list[float]:
    """Seconds from sending the request until each line of the response arrived."""
    started = time.perf_counter()
    times = []
    async with client.stream("GET", path) as response:
        async for _line in response.aiter_lines():
            times.append(time.perf_counter() - started)
    return times
# --8<-- [end:arrivals]


async def generators() -> dict[str, list[float]]:
    """Line arrival times of live/demo.py's two views, on a real uvicorn server."""
    with Uvicorn() as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            result = {
                "sync generator": await arrivals(client, "/demo/sync/"),
                "async generator": await arrivals(client, "/demo/async/"),
            }
        warnings = [line.strip() for line in server.log().splitlines() if "Warning:" in line]
    result["warnings"] = warnings
    return result


async def main() -> None:
    result = await generators()
    for name in ("sync generator", "async generator"):
        times = result[name]
        print(f"{name:16}  first line after {times[0]:.2f} s, last after {times[-1]:.2f} s, "
              f"lines arrived over {times[-1] - times[0]:.2f} s")
    ratio = result["sync generator"][0] / result["async generator"][0]
    print(f"time to the first line: {ratio:.1f}x longer with the sync generator")
    for warning in result["warnings"]:
        print("server log:", warning)


if __name__ == "__main__":
    asyncio.run(main())
