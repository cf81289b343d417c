"""Measure channel layers on this machine.

    python bench.py                 # fan-out, capacity and expiry for both layers, then the cross-process check
    python bench.py --no-cross      # only the layer measurements

1. Fan-out: one group of 100 member channels, 200 group_send calls; deliveries per second for the
   in-memory layer and for the Redis layer.
2. Capacity and expiry: what a layer keeps for a member that does not read.
3. Cross-process delivery: two daphne processes serving this folder's chat, sharing Redis;
   50 clients (25 on each) in one room each send 20 messages. "lock-step" sends one message per
   client per round and waits for the round to arrive (each channel's queue stays below capacity);
   "burst" sends everything at once. Lost = deliveries expected - deliveries received.

Redis: $REDIS_URL, or a private redis-server started here on a free port (never your own data).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port}")


@contextmanager
def redis_server():
    """$REDIS_URL, or a private throwaway redis-server."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("Needs Redis: set REDIS_URL, or install redis-server (apt-get install redis-server).")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=5)


def make_layer(kind: str, redis_url: str | None = None, **config):
    if kind == "memory":
        from channels.layers import InMemoryChannelLayer

        return InMemoryChannelLayer(**config)
    from channels_redis.core import RedisChannelLayer

    return RedisChannelLayer(hosts=[redis_url], prefix=f"bench{os.getpid()}", **config)


async def close_layer(layer) -> None:
    if hasattr(layer, "close_pools"):
        await layer.flush()
        await layer.close_pools()


# --8<-- [start:fan_out]
async def fan_out(layer, members: int = 100, sends: int = 200) -> dict:
    """`sends` group_send calls to a group of `members` channels, each drained by its own reader."""
    channels = [await layer.new_channel() for _ in range(members)]
    for channel in channels:
        await layer.group_add("bench", channel)

    async def reader(channel: str) -> None:
        for _ in range(sends):
            await layer.receive(channel)

    readers = [asyncio.create_task(reader(c)) for c in channels]
    started = time.perf_counter()
    for i in range(sends):
        await layer.group_send("bench", {"type": "bench.tick", "i": i})
    async with asyncio.timeout(120):
        await asyncio.gather(*readers)
    elapsed = time.perf_counter() - started
    return {"members": members, "sends": sends, "seconds": elapsed, "deliveries_per_s": members * sends / elapsed,
            "group_sends_per_s": sends / elapsed}
# --8<-- [end:fan_out]


async def drain(layer, channel: str, wait: float = 0.05) -> int:
    got = 0
    while True:
        try:
            async with asyncio.timeout(wait):
                await layer.receive(channel)
            got += 1
        except TimeoutError:
            return got


async def capacity_and_expiry(layer_factory) -> dict:
    """A member that never reads: how much is kept (capacity) and for how long (expiry)."""
    layer = layer_factory(capacity=100, expiry=1)
    try:
        channel = await layer.new_channel()
        await layer.group_add("idle", channel)
        for i in range(150):
            await layer.group_send("idle", {"type": "bench.tick", "i": i})  # over capacity: dropped, no error
        kept = await drain(layer, channel)
        for i in range(10):
            await layer.group_send("idle", {"type": "bench.tick", "i": i})
        await asyncio.sleep(1.5)  # longer than expiry
        after_expiry = await drain(layer, channel)
    finally:
        await close_layer(layer)
    return {"sent": 150, "kept": kept, "sent_then_waited": 10, "left_after_expiry": after_expiry}


def start_servers(redis_url: str, count: int, root: Path) -> list[tuple[subprocess.Popen, int]]:
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONPATH": str(root), "DJANGO_SETTINGS_MODULE": "project.settings",
           "CHANNELS_PREFIX": f"benchchat{os.getpid()}"}
    out = []
    for _ in range(count):
        port = free_port()
        cmd = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "project.asgi:application"]
        out.append((subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                    port))
    for _, port in out:
        wait_for_port(port)
    return out


# --8<-- [start:cross]
async def cross_process(ports: list[int], clients: int = 50, messages: int = 20, burst: bool = False) -> dict:
    """`clients` WebSocket clients spread over the servers, all in one room, each sending `messages`."""
    import websockets

    room = f"bench{int(time.time() * 1000) % 10**8}"
    expected_each = clients * messages
    received = [0] * clients
    rounds_done = [asyncio.Event() for _ in range(messages)]
    per_round = [0] * messages
    sockets = [await websockets.connect(f"ws://127.0.0.1:{ports[i % len(ports)]}/ws/chat/{room}/",
                                        open_timeout=10, max_queue=None) for i in range(clients)]

    async def read(i: int, ws) -> None:
        try:
            while received[i] < expected_each:
                data = json.loads(await ws.recv())
                received[i] += 1
                r = int(data["text"].split(":")[1])
                per_round[r] += 1
                if per_round[r] == clients * clients:
                    rounds_done[r].set()
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            pass

    readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(sockets)]
    started = time.perf_counter()
    try:
        for r in range(messages):
            await asyncio.gather(*(ws.send(json.dumps({"user": f"c{i}", "text": f"c{i}:{r}"}))
                                   for i, ws in enumerate(sockets)))
            if not burst:  # lock-step: wait for the round (or give up on it after 5 s)
                try:
                    async with asyncio.timeout(5):
                        await rounds_done[r].wait()
                except TimeoutError:
                    pass
        deadline = time.perf_counter() + 10
        while sum(received) < clients * expected_each and time.perf_counter() < deadline:
            before = sum(received)
            await asyncio.sleep(0.5)
            if sum(received) == before:  # nothing more is coming
                break
        elapsed = time.perf_counter() - started
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        for ws in sockets:
            await ws.close()
    expected = clients * expected_each
    return {"mode": "burst" if burst else "lock-step", "clients": clients, "messages": messages,
            "expected": expected, "received": sum(received), "lost": expected - sum(received),
            "deliveries_per_s": sum(received) / elapsed}
# --8<-- [end:cross]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--sends", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--no-cross", action="store_true", help="skip the two-process check")
    parser.add_argument("--root", type=Path, default=HERE, help="folder whose chat the servers serve")
    args = parser.parse_args()

    with redis_server() as redis_url:
        print(f"Fan-out: {args.sends} group_send to {args.members} members (Redis at {redis_url})")
        rates = {}
        for kind in ("memory", "redis"):
            layer = make_layer(kind, redis_url)
            try:
                result = await fan_out(layer, args.members, args.sends)
            finally:
                await close_layer(layer)
            rates[kind] = result["deliveries_per_s"]
            print(f"  {kind:6s}  {result['deliveries_per_s']:9,.0f} deliveries/s  "
                  f"({result['group_sends_per_s']:,.0f} group_send/s, {result['seconds']:.2f} s)")
        print(f"  in-memory / Redis = {rates['memory'] / rates['redis']:.1f}x")

        print("Capacity 100, expiry 1 s, one member that never reads:")
        for kind in ("memory", "redis"):
            r = await capacity_and_expiry(lambda **c: make_layer(kind, redis_url, **c))
            print(f"  {kind:6s}  sent {r['sent']}, kept {r['kept']} (the rest dropped silently); "
                  f"sent {r['sent_then_waited']}, waited 1.5 s, {r['left_after_expiry']} left")

        if args.no_cross:
            return
        print(f"Cross-process: 2 daphne processes, {args.clients} clients, {args.messages} messages each, one room")
        servers = start_servers(redis_url, 2, args.root.resolve())
        try:
            for burst in (False, True):
                r = await cross_process([port for _, port in servers], args.clients, args.messages, burst)
                print(f"  {r['mode']:9s}  received {r['received']:,} of {r['expected']:,}  lost {r['lost']:,}  "
                      f"({r['deliveries_per_s']:,.0f} deliveries/s)")
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait(timeout=10)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    asyncio.run(main())
