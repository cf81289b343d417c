"""The chat consumer. It is course code: the security decisions it makes come from the exercises.

- who is connecting: scope["user"], set by ex01 (ticket) or AuthMiddlewareStack (session cookie),
  behind the Origin check of ex02;
- may they enter this room: ex04 `room_close_code`;
- is this frame acceptable: ex03 `parse_frame` and `RateLimiter`.

The exercise modules are imported where they are used, so a broken exercise file breaks only the
tests of that exercise."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from .protocol import RATE_LIMITED, UNAUTHENTICATED, Rejected


class WhoAmIConsumer(AsyncWebsocketConsumer):
    """Says who the connection is authenticated as, or closes with 4401."""

    async def connect(self):
        # Accept first: a close *before* accept becomes an HTTP 403 and the browser only sees 1006.
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(UNAUTHENTICATED)
            return
        await self.send(json.dumps({"type": "hello", "user": user.get_username()}))


# --8<-- [start:consumer]
class ChatConsumer(AsyncWebsocketConsumer):
    group = None  # set once the connection is admitted to a room

    async def connect(self):
        await self.accept()  # accept first, so the browser receives our close code
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.user = self.scope.get("user")
        code = await self.check_access()
        if code is not None:
            await self.reject(Rejected(code))
            return
        self.limiter = self.make_limiter()
        self.group = f"chat.{self.room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send(json.dumps({"type": "hello", "user": self.user.get_username(), "room": self.room}))

    async def check_access(self):
        from ex04_room_access import room_close_code

        return await room_close_code(self.user, self.room)

    def make_limiter(self):
        from ex03_message_guard import RateLimiter

        return RateLimiter(settings.WS_RATE_BURST, settings.WS_RATE_PER_SECOND)

    async def receive(self, text_data=None, bytes_data=None):
        from ex03_message_guard import parse_frame

        if self.group is None:
            return  # refused in connect(); frames that raced the close are ignored
        try:
            if not self.limiter.allow():
                raise Rejected(RATE_LIMITED)
            message = parse_frame(text_data, bytes_data, settings.WS_MAX_MESSAGE_BYTES)
        except Rejected as rejected:
            await self.reject(rejected)
            return
        await self.channel_layer.group_send(
            self.group, {"type": "chat.message", "user": self.user.get_username(), "text": message.text}
        )

    async def reject(self, rejected: Rejected):
        # Tell the client why in a frame as well: close reasons are limited to 123 bytes.
        await self.send(json.dumps({"type": "error", "code": rejected.code, "detail": rejected.detail}))
        await self.close(rejected.code)
        await self.leave()

    async def leave(self):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def disconnect(self, code):
        await self.leave()

    async def chat_message(self, event):  # "type": "chat.message" dispatches here
        await self.send(json.dumps({"type": "chat", "user": event["user"], "text": event["text"]}))
# --8<-- [end:consumer]
