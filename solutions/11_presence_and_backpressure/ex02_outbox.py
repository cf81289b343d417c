"""Exercise 2: a bounded, coalescing send queue for one WebSocket client.

A consumer's handlers must return quickly: while one awaits a slow client's socket, the messages
for that consumer pile up in the channel layer, and past `capacity` group_send DROPS them, silently,
for this client only. So handlers only `offer()` (never waits), and one `run()` task per connection
does the slow sending.

- `offer(message, key=None)`: queue `message` without waiting. With a key, it replaces a queued
  message with the same key, in its place (the client only needs the latest presence list or price).
  If more than `maxsize` messages are queued, the oldest is dropped and counted in `dropped`.
- `run()`: send queued messages in order with `await send(message)`, forever. If messages were
  dropped since the last send, first send {"type": "gap", "missed": N} so the client can resync.
- `close(timeout)`: stop taking messages, give `run()` up to `timeout` seconds to send what is
  queued, then stop it."""

import asyncio
import itertools
from collections import OrderedDict


class Outbox:
    # --8<-- [start:solution]
    def __init__(self, send, maxsize: int = 50) -> None:
        self.send = send
        self.maxsize = maxsize
        self.dropped = 0
        self.missed = 0  # dropped since the last "gap" notice
        # Insertion-ordered; keyed messages use their key, the others a unique number.
        self.queue: OrderedDict[object, dict] = OrderedDict()
        self.numbers = itertools.count()
        self.ready = asyncio.Event()
        self.flushed = asyncio.Event()  # set while nothing is queued or being sent
        self.flushed.set()
        self.closed = False
        self.task = None

    def __len__(self) -> int:
        return len(self.queue)

    def offer(self, message: dict, key: str | None = None) -> None:
        if self.closed:
            return
        if key is not None and ("key", key) in self.queue:
            # Coalesce: same place in line, newest content. A stream of updates can't grow the
            # queue, and can't be starved by moving to the back on every update.
            self.queue[("key", key)] = message
            return
        self.queue[("key", key) if key is not None else next(self.numbers)] = message
        while len(self.queue) > self.maxsize:
            # Drop the oldest: for a client that fell behind, recent messages are worth more.
            self.queue.popitem(last=False)
            self.dropped += 1
            self.missed += 1
        self.flushed.clear()
        self.ready.set()  # a plain flag: offer() never awaits, so a handler never waits for a socket

    async def run(self) -> None:
        self.task = asyncio.current_task()
        while True:
            await self.ready.wait()
            while self.queue:
                if self.missed:
                    missed, self.missed = self.missed, 0
                    await self.send({"type": "gap", "missed": missed})
                _, message = self.queue.popitem(last=False)
                await self.send(message)
            self.flushed.set()
            self.ready.clear()

    async def close(self, timeout: float = 1.0) -> None:
        self.closed = True
        if self.task is None or self.task.done():
            return
        # Graceful: let the writer flush what is queued, but never wait on a stuck client forever.
        try:
            async with asyncio.timeout(timeout):
                await self.flushed.wait()
        except TimeoutError:
            pass
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
    # --8<-- [end:solution]
