"""Exercise 1: who is online, in Redis, shared by every server process.

Groups can't tell you who is in them (the channel layer has no "list members"), so presence needs
its own store. The page sends a heartbeat every HEARTBEAT_INTERVAL seconds; the consumer calls
`beat()` for each, `leave()` when the socket closes, and `online()` to show the list.

`disconnect()` does not run when a server process is killed, loses power or is redeployed with
SIGKILL: a user who stops beating must drop off the list by itself within `ttl` seconds."""

import math
import time

import redis.asyncio as aioredis


class Presence:
    def __init__(self, redis: aioredis.Redis, ttl: float = 15.0, clock=time.time) -> None:
        self.redis = redis
        self.ttl = ttl
        self.clock = clock  # seconds, like time.time(); the tests move it forward

    def key(self, room: str) -> str:
        return f"presence:{room}"

    # --8<-- [start:solution]
    async def beat(self, room: str, user: str) -> None:
        key = self.key(room)
        # A sorted set: member = user, score = last heartbeat. One key per room, any number of
        # server processes writing to it. One round trip for both commands.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {user: self.clock()})
            # If every server dies, the whole room key still goes away on its own.
            pipe.expire(key, math.ceil(self.ttl) + 1)
            await pipe.execute()

    async def leave(self, room: str, user: str) -> None:
        await self.redis.zrem(self.key(room), user)

    async def online(self, room: str) -> list[str]:
        key = self.key(room)
        cutoff = self.clock() - self.ttl
        async with self.redis.pipeline(transaction=True) as pipe:
            # Prune the silent ones (their process died before leave() could run), then read.
            pipe.zremrangebyscore(key, "-inf", f"({cutoff}")
            pipe.zrange(key, 0, -1)
            _, members = await pipe.execute()
        return sorted(m.decode() for m in members)
    # --8<-- [end:solution]
