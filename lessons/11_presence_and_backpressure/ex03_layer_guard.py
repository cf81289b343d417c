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

    # --8<-- [start:starter]
    async def join(self, group: str) -> None:
        self.groups.add(group)
        await self.layer.group_add(group, self.channel_name)

    async def leave(self, group: str) -> None:
        self.groups.discard(group)
        await self.layer.group_discard(group, self.channel_name)

    async def group_send(self, group: str, message: dict) -> bool:
        # TODO: while Redis is down this raises, and the exception ends the consumer.
        await self.layer.group_send(group, message)
        return True

    async def receive(self) -> dict:
        # TODO: an outage must not escape from here: tell the client, wait, retry, rejoin, tell again.
        return await self.layer.receive(self.channel_name)

    async def close(self) -> None:
        pass
    # --8<-- [end:starter]
