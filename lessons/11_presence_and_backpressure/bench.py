"""A burst against a slow client, through the Redis channel layer: what group_send drops, and what
a coalescing Outbox (exercise 2) delivers instead.

    python bench.py                 # uses $REDIS_URL, or starts a private redis-server
    python bench.py --updates 500 --delay 0.01

Two consumers of the same ticker group, each behind a socket that takes `delay` seconds per frame:
NaiveTickerConsumer sends from its handler; TickerConsumer only offers to its Outbox. The producer
sends `updates` price updates for 5 symbols at `rate` per second: far faster than the slow socket,
slow enough for a consumer whose handler returns at once."""

import argparse
import asyncio
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

SYMBOLS = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN"]


@contextmanager
def redis_server():
    """$REDIS_URL, or a private redis-server on a free port for the duration of the block."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if not binary:
        sys.exit("bench.py needs Redis: set REDIS_URL or install redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=5)


class DropCounter(logging.Handler):
    """channels_redis reports drops only as an INFO log line: "N of M channels over capacity in group G"."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = 0

    def emit(self, record):
        if "over capacity" in record.getMessage():
            self.lines += 1


# --8<-- [start:burst]
async def burst(redis_url: str, updates: int = 500, rate: float = 250.0, delay: float = 0.02,
                capacity: int = 100, shared_process: bool = False, idle: float = 1.0) -> dict:
    """Send `updates` price updates to both consumers at once; report what each client ended with."""
    import django
    from django.apps import apps
    from django.conf import settings

    if not apps.ready:
        django.setup()
    layer = {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [redis_url], "capacity": capacity, "prefix": f"bench{os.getpid()}"},
    }
    # One layer object per consumer, as if each client were on its own server process: all the
    # consumers of one process share ONE Redis list (and its capacity), so a slow one there would
    # make the other lose messages too. (That is measured separately: see `shared_process`.)
    settings.CHANNEL_LAYERS = {"default": layer, "naive": layer, "outbox": layer} if not shared_process else {
        "default": layer, "naive": layer, "outbox": layer, "shared": layer}
    from channels.layers import channel_layers, get_channel_layer
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.urls import path

    from rooms.ticker import GROUP, NaiveTickerConsumer, TickerConsumer

    channel_layers.backends.clear()
    counter = DropCounter()
    log = logging.getLogger("channels_redis.core")
    log.addHandler(counter)
    log.setLevel(logging.INFO)
    log.propagate = False  # count the lines instead of printing hundreds of them

    def slow(consumer, alias):
        class Slow(consumer):
            channel_layer_alias = "shared" if shared_process else alias

            async def send_json(self, content, close=False):
                await asyncio.sleep(delay)  # the client's socket drains one frame per `delay`
                await super().send_json(content, close)

        return URLRouter([path("ws/ticker/", Slow.as_asgi())])

    clients = {"naive": WebsocketCommunicator(slow(NaiveTickerConsumer, "naive"), "/ws/ticker/"),
               "outbox": WebsocketCommunicator(slow(TickerConsumer, "outbox"), "/ws/ticker/")}
    for client in clients.values():
        await client.connect()
    await asyncio.sleep(0.2)  # both are in the group

    producer = get_channel_layer()
    last = {}
    started = time.perf_counter()

    async def read(client):
        frames, seen, up_to_date_at = 0, {}, None
        while True:
            try:
                # Read the queue directly: the communicator's receive_from() cancels the app on timeout.
                out = await asyncio.wait_for(client.output_queue.get(), timeout=max(idle, delay * 5))
            except asyncio.TimeoutError:
                break
            frames += 1
            frame = json.loads(out["text"])
            seen[frame["symbol"]] = frame["price"]
            if seen == last and up_to_date_at is None and sent_in is not None:
                up_to_date_at = time.perf_counter() - started
        return {"frames": frames, "final_prices_right": seen == last,
                "stale_symbols": sum(seen.get(s) != p for s, p in last.items()),
                "up_to_date_after_s": up_to_date_at}

    # Both clients are read while the burst goes on, so arrival times are real.
    sent_in = None
    readers = {name: asyncio.create_task(read(client)) for name, client in clients.items()}
    for tick in range(updates):
        symbol = SYMBOLS[tick % len(SYMBOLS)]
        last[symbol] = tick
        await producer.group_send(GROUP, {"type": "price.update", "symbol": symbol, "price": tick})
        # Pace the producer at `rate` updates/s: a burst a fast consumer can keep up with.
        ahead = started + (tick + 1) / rate - time.perf_counter()
        if ahead > 0:
            await asyncio.sleep(ahead)
    sent_in = time.perf_counter() - started
    results = {name: await task for name, task in readers.items()}
    for client in clients.values():
        await client.disconnect()

    log.removeHandler(counter)
    log.propagate = True
    for alias in settings.CHANNEL_LAYERS:
        await get_channel_layer(alias).flush()
    return {"shared_process": shared_process, "updates": updates, "rate": rate, "delay": delay,
            "capacity": capacity, "burst_seconds": sent_in, "over_capacity_log_lines": counter.lines, **results}
# --8<-- [end:burst]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--rate", type=float, default=250.0, help="updates per second")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the slow socket takes per frame")
    parser.add_argument("--shared-process", action="store_true", help="both consumers on one layer object")
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--idle", type=float, default=1.0, help="stop reading after this long without a frame")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    with redis_server() as url:
        result = asyncio.run(
            burst(url, args.updates, args.rate, args.delay, args.capacity, args.shared_process, args.idle)
        )
    if args.json:
        print(json.dumps(result))
        return
    naive, outbox = result["naive"], result["outbox"]
    print(f"{result['updates']} updates in {result['burst_seconds']:.2f} s to two clients taking "
          f"{result['delay'] * 1000:.0f} ms per frame (capacity {result['capacity']})")
    print(f"  naive : {naive['frames']:4} frames, {result['updates'] - naive['frames']} dropped by group_send "
          f"({result['over_capacity_log_lines']} 'over capacity' log lines), final prices right: "
          f"{naive['final_prices_right']} ({naive['stale_symbols']} stale)")
    print(f"  outbox: {outbox['frames']:4} frames, final prices right: {outbox['final_prices_right']}, "
          f"up to date {outbox['up_to_date_after_s'] or float('nan'):.2f} s after the burst began")
    print("  (both clients on one layer object, as in one server process)" if result["shared_process"] else
          "  (each client on its own layer object, as on its own server process)")


if __name__ == "__main__":
    main()
