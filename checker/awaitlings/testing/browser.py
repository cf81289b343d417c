"""A warm Chromium for browser tests: launched once, kept for later checks, a fresh context per test.

Launching Chromium costs 1-3 s (more on a loaded machine) on every check; connecting to a running one
costs ~0.1 s. So the first check that needs a browser starts a small keeper process:

    check ──ws://127.0.0.1:PORT/TOKEN── keeper ══ --remote-debugging-pipe ══ chromium (headless)

- Chromium talks DevTools only over a pipe to its keeper (never `--remote-debugging-port`, which any
  local user could connect to and drive the browser, file:// pages included). The keeper relays one
  client at a time from a loopback WebSocket whose path is a random token, stored with the endpoint in
  a private folder (mode 0700) that only this user can read.
- After each client leaves, the keeper disposes of every browser context the client left behind, so
  the next check starts from a clean browser (each test also gets a context of its own).
- It exits `AWAITLINGS_WARM_IDLE` seconds (default 900, like the warm server) after its last client,
  or when Chromium dies. A busy keeper (another check on it) or any failure to reach it makes the
  test launch its own Chromium: a warm browser makes a check faster, never different.
- Off where the warm server is off (`AWAITLINGS_WARM=0`, `CI`): there every run launches its own.

    python -m awaitlings.testing.browser keep FOLDER CHROMIUM IDLE_SECONDS   (started by `endpoint()`)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
OWN_IDS = 1_000_000_000  # the keeper's own DevTools calls use ids from here; clients count from 1


def folder(chromium: str) -> Path:
    from ..warm import _private_dir

    key = hashlib.sha256(f"{chromium}\0{sys.prefix}".encode()).hexdigest()[:12]
    path = _private_dir() / f"browser-{key}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _read_endpoint(where: Path) -> str | None:
    try:
        info = json.loads((where / "endpoint.json").read_text())
    except (OSError, ValueError):
        return None
    return info["url"] if _alive(int(info.get("pid", 0))) else None


def endpoint(chromium: str, timeout: float = 20.0) -> str | None:
    """The WebSocket URL of this user's warm Chromium, starting its keeper if none runs; None where the
    warm browser is off or could not start (the caller then launches a browser of its own)."""
    from .. import warm

    if not warm.enabled():
        return None
    try:
        where = folder(chromium)
        with open(where / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            url = _read_endpoint(where)
            if url:
                return url
            with contextlib.suppress(FileNotFoundError):
                (where / "endpoint.json").unlink()
            idle = os.environ.get("AWAITLINGS_WARM_IDLE", "900")
            env = {k: v for k, v in os.environ.items() if k != "PYTHONASYNCIODEBUG"}
            subprocess.Popen([sys.executable, "-m", "awaitlings.testing.browser", "keep", str(where), chromium, idle],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(where / "keeper.log", "ab"),
                             start_new_session=True, env=env, cwd=str(where))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                url = _read_endpoint(where)
                if url:
                    return url
                time.sleep(0.02)
    except OSError:
        return None
    return None


# --- the keeper ----------------------------------------------------------------------------------


def keep(where: Path, chromium: str, idle: float) -> None:
    import asyncio

    import websockets
    from websockets.asyncio.server import serve

    # Chromium reads commands from fd 3 and writes answers to fd 4 (--remote-debugging-pipe), each a
    # JSON message ended by a NUL byte. Move the pipe ends above 9 first, so dup2 never clobbers one.
    cmd_r, cmd_w = os.pipe()
    resp_r, resp_w = os.pipe()
    cmd_r, resp_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10), fcntl.fcntl(resp_w, fcntl.F_DUPFD_CLOEXEC, 10)

    def pipes() -> None:
        os.dup2(cmd_r, 3)
        os.dup2(resp_w, 4)

    chrome = subprocess.Popen(
        [chromium, *CHROMIUM_ARGS, "--remote-debugging-pipe", f"--user-data-dir={where / 'profile'}",
         "--no-first-run", "--no-default-browser-check", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
        preexec_fn=pipes)
    os.close(cmd_r)
    os.close(resp_w)
    os.set_blocking(resp_r, False)
    token = secrets.token_urlsafe(24)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        client: list = [None]
        waiting: dict[int, asyncio.Future] = {}
        own = iter(range(OWN_IDS, OWN_IDS * 2))
        buffer = bytearray()
        state = {"last": time.monotonic()}

        def readable() -> None:
            try:
                chunk = os.read(resp_r, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                loop.remove_reader(resp_r)
                loop.stop()
                return
            buffer.extend(chunk)
            while (end := buffer.find(b"\0")) >= 0:
                raw = bytes(buffer[:end])
                del buffer[:end + 1]
                if b'"id":' in raw:
                    message = json.loads(raw)
                    future = waiting.pop(message.get("id"), None)
                    if future is not None:
                        future.set_result(message)
                        continue
                if client[0] is not None:
                    client[0].put_nowait(raw.decode())

        loop.add_reader(resp_r, readable)

        async def call(method: str, **params) -> dict:
            ident = next(own)
            waiting[ident] = loop.create_future()
            os.write(cmd_w, json.dumps({"id": ident, "method": method, "params": params}).encode() + b"\0")
            return await asyncio.wait_for(waiting[ident], 10)

        async def clean() -> None:
            """Dispose of every context a client left behind."""
            with contextlib.suppress(Exception):
                contexts = (await call("Target.getBrowserContexts")).get("result", {}).get("browserContextIds", [])
                for context in contexts:
                    await call("Target.disposeBrowserContext", browserContextId=context)

        async def relay(ws) -> None:
            if ws.request.path != "/" + token:
                await ws.close(1008, "wrong path")
                return
            if client[0] is not None:
                await ws.close(1013, "busy")  # one client at a time: the caller launches its own browser
                return
            client[0] = outgoing = asyncio.Queue()

            async def forward() -> None:  # one sender keeps Chromium's order
                with contextlib.suppress(websockets.ConnectionClosed):
                    while True:
                        await ws.send(await outgoing.get())

            sender = asyncio.create_task(forward())
            try:
                async for message in ws:
                    data = message.encode() if isinstance(message, str) else message
                    os.write(cmd_w, data + b"\0")
            except websockets.ConnectionClosed:
                pass
            finally:
                client[0] = None
                sender.cancel()
                await clean()
                state["last"] = time.monotonic()

        await call("Browser.getVersion")  # Chromium answers: it is ready
        async with serve(relay, "127.0.0.1", 0, max_size=None, ping_interval=None) as server:
            port = server.sockets[0].getsockname()[1]
            info = where / "endpoint.json.tmp"
            info.write_text(json.dumps({"url": f"ws://127.0.0.1:{port}/{token}", "pid": os.getpid()}))
            info.chmod(0o600)
            info.rename(where / "endpoint.json")
            while chrome.poll() is None:
                await asyncio.sleep(1)
                if client[0] is None and time.monotonic() - state["last"] > idle:
                    break

    try:
        asyncio.run(main())
    finally:
        with contextlib.suppress(FileNotFoundError):
            info = json.loads((where / "endpoint.json").read_text())
            if info.get("pid") == os.getpid():
                (where / "endpoint.json").unlink()
        if chrome.poll() is None:
            chrome.send_signal(signal.SIGTERM)
            try:
                chrome.wait(5)
            except subprocess.TimeoutExpired:
                chrome.kill()


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "keep":
        print("usage: python -m awaitlings.testing.browser keep FOLDER CHROMIUM IDLE_SECONDS", file=sys.stderr)
        sys.exit(2)
    keep(Path(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
