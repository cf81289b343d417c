"""Exercise 3: keep serving when Redis goes away, and recover when it comes back.

The room consumer (rooms/consumers.py) talks to the channel layer only through a LayerGuard:
`join(group)` and `leave(group)` in connect/disconnect, `group_send(...)` for chat messages, and
`receive()` in its dispatch loop, where Channels would call `channel_layer.receive(channel_name)`.

With the Redis layer, each of those raises redis' ConnectionError the moment Redis is unreachable.
Raised from `receive()`, it ends the consumer: the server closes the socket with 1011, for every
client of the process at once. The guard must instead:

- tell its client once, `await notify({"type": "status", "layer": "down"})`, and keep the socket open;
- `group_send` returns False while the layer is down (the consumer tells the sender it wasn't
  delivered) and True when it was sent;
- keep retrying every `retry_delay` seconds; once Redis answers again, join its groups again (a
  restarted Redis has forgotten them), then `await notify({"type": "status", "layer": "up"})`;
- `close()` (called from disconnect) stops whatever the guard still runs in the background."""

import asyncio

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# What a Redis outage raises through channels_redis.
LAYER_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)


class LayerGuard:
    def __init__(self, layer, channel_name: str, notify, retry_delay: float = 0.5) -> None:
        self.layer = layer
        self.channel_name = channel_name
        self.notify = notify  # async callable taking one dict, sent to this client
        self.retry_delay = retry_delay
        self.groups: set[str] = set()
        self.down = False
        self.recovery: asyncio.Task | None = None

    # --8<-- [start:solution]
    async def join(self, group: str) -> None:
        self.groups.add(group)  # remembered even if Redis is down now: recover() joins it later
        try:
            await self.layer.group_add(group, self.channel_name)
        except LAYER_DOWN:
            await self.went_down()

    async def leave(self, group: str) -> None:
        self.groups.discard(group)
        try:
            await self.layer.group_discard(group, self.channel_name)
        except LAYER_DOWN:
            pass  # the membership expires with group_expiry anyway

    async def group_send(self, group: str, message: dict) -> bool:
        try:
            await self.layer.group_send(group, message)
        except LAYER_DOWN:
            await self.went_down()
            return False
        return True

    async def receive(self) -> dict:
        while True:
            try:
                return await self.layer.receive(self.channel_name)
            except LAYER_DOWN:
                await self.went_down()
                await asyncio.sleep(self.retry_delay)  # don't spin while Redis refuses connections

    async def went_down(self) -> None:
        if not self.down:  # tell the client once per outage, not once per failed call
            self.down = True
            await self.notify({"type": "status", "layer": "down"})
            # Recovery can't wait for receive() to fail again: once Redis is back, receive() just
            # waits quietly for messages, which never come to a group this channel is no longer in.
            self.recovery = asyncio.create_task(self.recover())

    async def recover(self) -> None:
        while True:
            await asyncio.sleep(self.retry_delay)  # with many clients, add jitter here
            try:
                for group in list(self.groups):
                    await self.layer.group_add(group, self.channel_name)  # a restarted Redis forgot them
            except LAYER_DOWN:
                continue
            self.down = False
            await self.notify({"type": "status", "layer": "up"})
            return

    async def close(self) -> None:
        if self.recovery is not None:
            self.recovery.cancel()
    # --8<-- [end:solution]
