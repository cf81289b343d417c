"""Exercise 1: who is online, in Redis, shared by every server process.

Groups can't tell you who is in them (the channel layer has no "list members"), so presence needs
its own store. The page sends a heartbeat every HEARTBEAT_INTERVAL seconds; the consumer calls
`beat()` for each, `leave()` when the socket closes, and `online()` to show the list.

`disconnect()` does not run when a server process is killed, loses power or is redeployed with
SIGKILL: a user who stops beating must drop off the list by itself within `ttl` seconds."""

import time

import redis.asyncio as aioredis


class Presence:
    def __init__(self, redis: aioredis.Redis, ttl: float = 15.0, clock=time.time) -> None:
        self.redis = redis
        self.ttl = ttl
        self.clock = clock  # seconds, like time.time(); the tests move it forward

    def key(self, room: str) -> str:
        return f"presence:{room}"

    # --8<-- [start:starter]
    # The seed post's design: a Redis set, add on connect, remove on disconnect.
    async def beat(self, room: str, user: str) -> None:
        # TODO: remember *when* the user was last seen, not just that they were.
        await self.redis.sadd(self.key(room), user)

    async def leave(self, room: str, user: str) -> None:
        await self.redis.srem(self.key(room), user)

    async def online(self, room: str) -> list[str]:
        # TODO: users whose last beat is older than ttl are gone, even if leave() never ran.
        members = await self.redis.smembers(self.key(room))
        return sorted(m.decode() for m in members)
    # --8<-- [end:starter]
