"""A per-user chat cooldown that holds across every server process: one Redis key per user.

A counter in the consumer would be per connection: a user with two tabs (maybe on two servers) would
get twice the rate. `SET key 1 NX PX ms` succeeds only when the key doesn't exist, atomically, and Redis
forgets the key when the cooldown ends."""

import redis.asyncio as aioredis
from django.conf import settings


# --8<-- [start:cooldown]
class Cooldown:
    def __init__(self, seconds: float, url: str | None = None) -> None:
        self.ms = max(1, int(seconds * 1000))
        self.redis = aioredis.from_url(url or settings.REDIS_URL)

    async def wait_for(self, user_id: int) -> float:
        """0.0 when the user may send now (and the cooldown starts), else the seconds left."""
        key = f"capstone:cooldown:{user_id}"
        if await self.redis.set(key, 1, nx=True, px=self.ms):
            return 0.0
        return max(await self.redis.pttl(key), 1) / 1000

    async def close(self) -> None:
        await self.redis.aclose()
# --8<-- [end:cooldown]
