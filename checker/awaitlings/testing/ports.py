"""Free loopback ports, and waiting until something listens on one (blocking, or from async code)."""

from __future__ import annotations

import asyncio
import socket
import time

__all__ = ["free_port", "wait_for_port", "await_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1", process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f} s")


async def await_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    """`wait_for_port` for async tests: polls without blocking the event loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection(host, port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.02)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout:.0f} s")
