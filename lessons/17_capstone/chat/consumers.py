"""The chat consumer (course-owned): who may enter comes from exercise 4 (`room_for`); the rest is the
seed's D-2 done properly: messages saved with the async ORM, a per-user cooldown shared by every server,
moderation handed to a Celery worker, and close codes a browser can read.

Close codes: 4401 not logged in, 4403 not a member of the project (or no such project)."""

import asyncio

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from realtime.bridge import room_group

from .cooldown import Cooldown
from .models import Message

UNAUTHENTICATED, FORBIDDEN = 4401, 4403


def as_json(message: Message, username: str) -> dict:
    return {"type": "chat", "id": message.pk, "user": username, "body": message.body,
            "at": message.created_at.isoformat(), "flagged": message.flagged}


# --8<-- [start:consumer]
class ChatConsumer(AsyncJsonWebsocketConsumer):
    group = None  # set once the connection is admitted to a room
    cooldown = None

    async def connect(self):
        await self.accept()  # accept first, so the browser receives our close code (else it sees 1006)
        user = self.scope["user"]
        if not user.is_authenticated:
            return await self.refuse(UNAUTHENTICATED, "Log in first.")
        from ex04_room_access import room_for  # exercise 4, imported when used

        project = await room_for(user, self.scope["url_route"]["kwargs"]["room"])
        if project is None:
            return await self.refuse(FORBIDDEN, "You are not a member of this project.")
        self.user, self.project = user, project
        self.group = room_group(project.slug)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.cooldown = Cooldown(settings.CHAT_COOLDOWN_SECONDS)
        recent = [m async for m in Message.objects.filter(project=project).select_related("user").order_by("-id")[:20]]
        await self.send_json({"type": "hello", "room": project.slug, "name": project.name, "user": user.username,
                              "history": [as_json(m, m.user.username) for m in reversed(recent)]})

    async def receive_json(self, content, **kwargs):
        if self.group is None:
            return  # refused in connect(); frames that raced the close are ignored
        body = content.get("message") if isinstance(content, dict) else None
        if not isinstance(body, str) or not body.strip() or len(body) > settings.CHAT_MAX_LENGTH:
            return await self.send_json({"type": "error", "detail": f"message: 1 to {settings.CHAT_MAX_LENGTH} characters"})
        wait = await self.cooldown.wait_for(self.user.pk)
        if wait:
            return await self.send_json({"type": "cooldown", "retry_after": round(wait, 2)})
        # The async ORM (Django runs the query in its DB thread); the seed wrapped .create in sync_to_async.
        message = await Message.objects.acreate(project=self.project, user=self.user, body=body.strip())
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "data": as_json(message, self.user.username)})
        # Publishing to the broker is blocking network I/O: a thread, not the event loop.
        from .tasks import moderate_message

        await sync_to_async(moderate_message.delay, thread_sensitive=False)(message.pk)

    async def chat_message(self, event):  # "type": "chat.message" dispatches here (not `chat.message`)
        await self.send_json(event["data"])

    async def chat_flag(self, event):  # pushed by the moderation task from a worker process
        await self.send_json(event["data"])
# --8<-- [end:consumer]

    async def refuse(self, code: int, detail: str):
        await self.send_json({"type": "error", "code": code, "detail": detail})
        await self.close(code)

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        if self.cooldown is not None:
            await asyncio.shield(self.cooldown.close())
            self.cooldown = None
