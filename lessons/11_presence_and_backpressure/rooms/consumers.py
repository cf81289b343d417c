"""The room consumer: presence (ex01), a bounded send queue (ex02), a layer guard (ex03).

The exercise modules are imported where they are used, so a broken exercise file breaks only the
tests of that exercise. The user name comes from ?user=NAME: authentication is lesson 10's topic."""

import asyncio
import json
import logging
from urllib.parse import parse_qs

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from redis.exceptions import RedisError

from .redis_client import get_redis

log = logging.getLogger(__name__)


# --8<-- [start:call]
class RoomConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        # AsyncConsumer.__call__, except that layer messages come through the LayerGuard, whose
        # receive() survives a Redis outage instead of ending this consumer.
        from ex03_layer_guard import LayerGuard

        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.base_send = send
        self.outbox = self.make_outbox()  # before anything can notify(); its writer starts after accept
        self.guard = LayerGuard(
            self.channel_layer, self.channel_name, notify=self.notify, retry_delay=settings.LAYER_RETRY_DELAY
        )
        try:
            await await_many_dispatch([receive, self.guard.receive], self.dispatch)
        except StopConsumer:
            pass
# --8<-- [end:call]

    # --- connection lifecycle -------------------------------------------------------------------
    # --8<-- [start:lifecycle]
    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.user = (parse_qs(self.scope["query_string"].decode()).get("user") or ["anonymous"])[0][:40]
        self.group = f"room.{self.room}"
        self.presence = self.make_presence()
        await self.accept()
        self.writer = asyncio.create_task(self.outbox.run())
        await self.guard.join(self.group)
        await self.touch()
        await self.notify({"type": "hello", "user": self.user, "online": await self.online()})
        await self.guard.group_send(self.group, {"type": "presence.changed"})

    async def disconnect(self, code):
        # Runs when the client closes, and when uvicorn shuts down on SIGTERM (it closes every
        # socket with 1012 and waits for this). It does NOT run on SIGKILL, a crash, or a daphne
        # 4.2 shutdown (which drops the sockets): then presence expires by PRESENCE_TTL and the
        # group membership by group_expiry.
        if not hasattr(self, "writer"):
            return
        if self.presence is not None:
            try:
                await self.presence.leave(self.room, self.user)
            except RedisError:
                pass
        await self.guard.leave(self.group)
        await self.guard.group_send(self.group, {"type": "presence.changed"})
        await self.guard.close()
        await self.outbox.close(timeout=0.5)
        self.writer.cancel()
    # --8<-- [end:lifecycle]

    # --- from the client -----------------------------------------------------------------------
    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "heartbeat":
            await self.touch()
            # Each client refreshes its own list on its heartbeat: users whose server died
            # without a goodbye disappear from everyone's list within PRESENCE_TTL.
            self.outbox.offer({"type": "presence", "online": await self.online()}, key="presence")
        elif kind == "chat":
            text = str(content.get("text", ""))[:500]
            sent = await self.guard.group_send(self.group, {"type": "chat.message", "user": self.user, "text": text})
            if not sent:
                self.outbox.offer({"type": "undelivered", "text": text})

    # --- from the group ------------------------------------------------------------------------
    async def chat_message(self, event):
        self.outbox.offer({"type": "chat", "user": event["user"], "text": event["text"]})

    async def presence_changed(self, event):
        # Coalesced: ten joins in a row become one list, the latest.
        self.outbox.offer({"type": "presence", "online": await self.online()}, key="presence")

    async def price_update(self, event):  # used by the burst demo (bench.py)
        self.outbox.offer({"type": "price", "symbol": event["symbol"], "price": event["price"]}, key=event["symbol"])

    # --- helpers (the tests override the first two) ----------------------------------------------
    def make_outbox(self):
        from ex02_outbox import Outbox

        return Outbox(self.send_json, maxsize=settings.OUTBOX_MAXSIZE)

    def make_presence(self):
        redis = get_redis()
        if redis is None:
            return None
        from ex01_presence import Presence

        return Presence(redis, ttl=settings.PRESENCE_TTL)

    async def notify(self, message):
        self.outbox.offer(message)

    async def touch(self):
        if self.presence is None:
            return
        try:
            await self.presence.beat(self.room, self.user)
        except RedisError as error:
            # Presence is best-effort: the next heartbeat after Redis is back restores it.
            log.info("presence heartbeat failed: %s", error)

    async def online(self):
        if self.presence is None:
            return []
        try:
            return await self.presence.online(self.room)
        except RedisError:
            return []

    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, ensure_ascii=False)
