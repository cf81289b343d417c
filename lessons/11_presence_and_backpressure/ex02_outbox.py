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
from collections import deque


class Outbox:
    # --8<-- [start:starter]
    def __init__(self, send, maxsize: int = 50) -> None:
        self.send = send
        self.maxsize = maxsize
        self.dropped = 0
        self.queue = deque()  # TODO: bounded, and a keyed message replaces its older self
        self.ready = asyncio.Event()
        self.closed = False
        self.task = None

    def __len__(self) -> int:
        return len(self.queue)

    def offer(self, message: dict, key: str | None = None) -> None:
        if self.closed:
            return
        self.queue.append(message)
        self.ready.set()

    async def run(self) -> None:
        self.task = asyncio.current_task()
        while True:
            await self.ready.wait()
            while self.queue:
                await self.send(self.queue.popleft())
            self.ready.clear()

    async def close(self, timeout: float = 1.0) -> None:
        self.closed = True
        if self.task is not None:
            self.task.cancel()  # TODO: what was queued is lost; give it `timeout` seconds first
    # --8<-- [end:starter]
